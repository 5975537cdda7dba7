import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, test } from 'node:test';
import type { Alert } from '../types.js';
import { alertFormatter, fileSink, formatAlertJson, httpSink, MultiSink, programSink, stdoutSink, syslogSink } from './index.js';

const dir = mkdtempSync(join(tmpdir(), 'palisade-output-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function alert(n: number, priority: Alert['priority'] = 'Warning'): Alert {
  const output = `2016-08-04T16:17:57.881781397+0000: ${priority} alert ${n}`;
  return {
    time: '2016-08-04T16:17:57.881781397Z',
    rule: 'r',
    priority,
    output,
    output_fields: { 'evt.time.iso8601': 1470327477881781397n, n },
    source: 'syscall',
    tags: ['a'],
    hostname: 'h',
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function waitFor(cond: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await sleep(10);
  }
}

test('stdout sink: text lines to the stream; MultiSink fans out and sums', async () => {
  const a = new PassThrough();
  const b = new PassThrough();
  let textA = '';
  let textB = '';
  a.on('data', (d) => (textA += d));
  b.on('data', (d) => (textB += d));
  const multi = new MultiSink([stdoutSink({ stream: a }), stdoutSink({ stream: b, format: alertFormatter(true) })]);
  multi.write(alert(1));
  multi.write(alert(2));
  await multi.close();
  await sleep(0);
  assert.equal(textA, '2016-08-04T16:17:57.881781397+0000: Warning alert 1\n2016-08-04T16:17:57.881781397+0000: Warning alert 2\n');
  assert.equal(textB, `${formatAlertJson(alert(1))}\n${formatAlertJson(alert(2))}\n`);
  assert.deepEqual(multi.stats(), { sent: 4, dropped: 0, failed: 0 });
});

test('file sink appends (text and JSON), creating the file when missing', async () => {
  const existing = join(dir, 'existing.log');
  writeFileSync(existing, 'before\n');
  const text = fileSink(existing);
  text.write(alert(1));
  await text.close();
  assert.equal(readFileSync(existing, 'utf8'), 'before\n2016-08-04T16:17:57.881781397+0000: Warning alert 1\n');
  assert.deepEqual(text.stats(), { sent: 1, dropped: 0, failed: 0 });

  const fresh = join(dir, 'fresh.json');
  const json = fileSink(fresh, { format: alertFormatter(true) });
  json.write(alert(1));
  json.write(alert(2));
  await json.close();
  const lines = readFileSync(fresh, 'utf8').trimEnd().split('\n');
  assert.equal(lines.length, 2);
  assert.equal(lines[1], formatAlertJson(alert(2)));
});

test('file sink into a missing directory counts failures and does not throw', async () => {
  const sink = fileSink(join(dir, 'no', 'such', 'dir.log'));
  sink.write(alert(1));
  await sleep(50);
  sink.write(alert(2));
  await sink.close();
  assert.equal(sink.stats().sent, 0);
  assert.equal(sink.stats().failed, 2);
});

test('syslog sink: RFC 5424 and RFC 3164 datagrams with the priority as severity', async () => {
  const server = createSocket('udp4');
  const received: string[] = [];
  server.on('message', (m) => received.push(m.toString()));
  await new Promise<void>((r) => server.bind(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  try {
    const s5424 = syslogSink({ port, hostname: 'node1', appName: 'falco' });
    s5424.write(alert(1, 'Warning'));
    s5424.write(alert(2, 'Emergency'));
    await s5424.close();
    const s3164 = syslogSink({ port, hostname: 'node1', protocol: 'rfc3164', facility: 4, format: alertFormatter(true) });
    s3164.write(alert(3, 'Debug'));
    await s3164.close();
    await waitFor(() => received.length === 3);
    const byAlert = (n: number) => received.find((m) => m.includes(`alert ${n}`)) ?? '';
    // facility user (1): PRI = 8 + severity, Emergency = 0 … Debug = 7
    assert.equal(byAlert(1), `<12>1 2016-08-04T16:17:57.881781Z node1 falco ${process.pid} - - 2016-08-04T16:17:57.881781397+0000: Warning alert 1`);
    assert.equal(byAlert(2), `<8>1 2016-08-04T16:17:57.881781Z node1 falco ${process.pid} - - 2016-08-04T16:17:57.881781397+0000: Emergency alert 2`);
    assert.match(byAlert(3), new RegExp(`^<39>Aug  [45] \\d\\d:\\d\\d:57 node1 palisade\\[${process.pid}\\]: \\{"hostname":"h",`));
    assert.deepEqual(s5424.stats(), { sent: 2, dropped: 0, failed: 0 });
  } finally {
    server.close();
  }
});

interface TestServer {
  url: string;
  bodies: string[];
  requests: number;
  close(): Promise<void>;
}

async function httpServer(handle: (req: IncomingMessage, res: ServerResponse, n: number) => void): Promise<TestServer> {
  const state = { bodies: [] as string[], requests: 0 };
  const server: Server = createServer((req, res) => {
    const n = ++state.requests;
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      state.bodies.push(body);
      handle(req, res, n);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/alerts`,
    get bodies() {
      return state.bodies;
    },
    get requests() {
      return state.requests;
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

test('http sink posts each alert as JSON', async () => {
  let contentType = '';
  const srv = await httpServer((req, res) => {
    contentType = req.headers['content-type'] ?? '';
    res.end('ok');
  });
  try {
    const sink = httpSink({ url: srv.url });
    sink.write(alert(1));
    sink.write(alert(2));
    await sink.close();
    assert.deepEqual(sink.stats(), { sent: 2, dropped: 0, failed: 0 });
    assert.deepEqual([...srv.bodies].sort(), [formatAlertJson(alert(1)), formatAlertJson(alert(2))]);
    assert.equal(contentType, 'application/json');
  } finally {
    await srv.close();
  }
});

test('http sink retries 5xx with backoff, gives up after maxAttempts, does not retry 4xx', async () => {
  const flaky = await httpServer((_req, res, n) => {
    res.statusCode = n <= 2 ? 503 : 200;
    res.end();
  });
  const down = await httpServer((_req, res) => {
    res.statusCode = 500;
    res.end();
  });
  const rejecting = await httpServer((_req, res) => {
    res.statusCode = 400;
    res.end();
  });
  try {
    const a = httpSink({ url: flaky.url, retryBaseMs: 5, maxAttempts: 4 });
    a.write(alert(1));
    await a.close();
    assert.deepEqual(a.stats(), { sent: 1, dropped: 0, failed: 0 });
    assert.equal(flaky.requests, 3);

    const b = httpSink({ url: down.url, retryBaseMs: 5, maxAttempts: 3 });
    b.write(alert(1));
    await b.close();
    assert.deepEqual(b.stats(), { sent: 0, dropped: 0, failed: 1 });
    assert.equal(down.requests, 3);

    const c = httpSink({ url: rejecting.url, retryBaseMs: 5, maxAttempts: 3 });
    c.write(alert(1));
    await c.close();
    assert.deepEqual(c.stats(), { sent: 0, dropped: 0, failed: 1 });
    assert.equal(rejecting.requests, 1);
  } finally {
    await Promise.all([flaky.close(), down.close(), rejecting.close()]);
  }
});

test('http sink to a closed port: connection errors are retried then counted as failed', async () => {
  const srv = await httpServer((_req, res) => res.end());
  const url = srv.url;
  await srv.close();
  const sink = httpSink({ url, retryBaseMs: 5, maxAttempts: 2 });
  sink.write(alert(1));
  await sink.close();
  assert.deepEqual(sink.stats(), { sent: 0, dropped: 0, failed: 1 });
});

test('http sink to a slow endpoint: writes never block, the bounded queue drops, close is bounded', async () => {
  const srv = await httpServer(() => {
    /* never answers */
  });
  try {
    const sink = httpSink({ url: srv.url, maxQueue: 10, concurrency: 1, closeTimeoutMs: 100 });
    const started = process.hrtime.bigint();
    for (let i = 0; i < 5000; i++) sink.write(alert(i));
    const writeMs = Number(process.hrtime.bigint() - started) / 1e6;
    assert.ok(writeMs < 500, `writes took ${writeMs} ms`);
    // One request in flight, ten queued: the rest were dropped at once.
    assert.deepEqual(sink.stats(), { sent: 0, dropped: 5000 - 11, failed: 0 });
    const closing = Date.now();
    await sink.close();
    assert.ok(Date.now() - closing < 2000);
    assert.deepEqual(sink.stats(), { sent: 0, dropped: 5000, failed: 0 });
  } finally {
    await srv.close();
  }
});

test('program sink: lines to a long-running command (cat >> file)', async () => {
  const out = join(dir, 'program.log');
  const sink = programSink({ command: `cat >> '${out}'`, output: 'ignore' });
  for (let i = 1; i <= 3; i++) sink.write(alert(i));
  await sink.close();
  assert.equal(readFileSync(out, 'utf8'), [1, 2, 3].map((i) => `${alert(i).output}\n`).join(''));
  assert.deepEqual(sink.stats(), { sent: 3, dropped: 0, failed: 0 });
  assert.equal(sink.starts(), 1);
});

test('program sink restarts a program that exited, on the next alert', async () => {
  const out = join(dir, 'restart.log');
  const sink = programSink({ command: `head -n 1 >> '${out}'`, output: 'ignore', restartIntervalMs: 0 });
  sink.write(alert(1));
  await waitFor(() => {
    try {
      return readFileSync(out, 'utf8').length > 0;
    } catch {
      return false;
    }
  });
  await sleep(200); // let `head` exit
  sink.write(alert(2));
  await sink.close();
  assert.equal(sink.starts(), 2);
  assert.equal(readFileSync(out, 'utf8'), `${alert(1).output}\n${alert(2).output}\n`);
});

test('program sink that does not read: bounded buffer, drops counted, close bounded', async () => {
  const sink = programSink({ command: 'sleep 30', output: 'ignore', maxBufferedBytes: 4096, closeTimeoutMs: 100 });
  const started = process.hrtime.bigint();
  for (let i = 0; i < 20_000; i++) sink.write(alert(i));
  const writeMs = Number(process.hrtime.bigint() - started) / 1e6;
  assert.ok(writeMs < 1000, `writes took ${writeMs} ms`);
  const closing = Date.now();
  await sink.close();
  assert.ok(Date.now() - closing < 2000);
  const st = sink.stats();
  assert.ok(st.dropped > 15_000, JSON.stringify(st));
  assert.equal(st.sent + st.dropped + st.failed <= 20_000, true);
});
