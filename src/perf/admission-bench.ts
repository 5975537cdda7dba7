/**
 * The admission server benchmark: `palisade serve --profile cks` started as its own process with
 * a test certificate, this process the load generator over loopback HTTPS (keep-alive
 * connections), the bodies realistic AdmissionReviews and ImageReviews as kube-apiserver sends
 * them (src/admission/testkit.ts), serialized once.
 *
 *  1. /validate, 50 different Deployments (insecure, hardened, a few privileged; 1–2 containers,
 *     2–14 env vars, several namespaces and registries): at 2,000 req/s offered for `--duration`
 *     seconds after a 2 s warm-up. Target: keeps up, p99 < 5 ms. Then as fast as
 *     `--connections` clients can send (autocannon): target ≥ 2,000 req/s.
 *  2. /imagepolicy, 50 ImageReviews of 1–3 images: at 5,000 req/s offered, then as fast as it
 *     goes. Target ≥ 5,000 req/s.
 *  3. /mutate, the same Deployments as /validate: as fast as it goes (no target).
 *
 * The fixed-rate runs are open loop: each request is sent at its own time (rate × t), whether or
 * not earlier ones were answered, as independent API servers would. autocannon's `overallRate`
 * is not used for them: it lets every connection send its per-second quota back to back at the
 * top of each second, so what it measures is a burst at full concurrency, and its histogram
 * rounds latency to whole milliseconds.
 *
 * Before any load, every distinct body is sent once and its answer checked (insecure → allowed
 * with PSS restricted warnings, hardened → allowed, privileged → denied 403; /mutate patches the
 * insecure ones; :latest and untagged images denied). Under load every answer must be 200 and
 * match that answer's uid and decision, so the benchmark cannot be measuring error pages.
 *
 * A fixed-rate run passes when every request was answered correctly at 99 % of the offered rate
 * or better (from the first request to the last answer). Each row notes the CPU the server used
 * (cores, and µs per answer, from /proc), the load generator's and every other process's: the
 * server is one process with one main thread, and on a 2-core machine the load generator takes
 * most of the other core, so a busy machine lowers the figures (the report warns when it was).
 *
 *   node dist/perf/admission-bench.js [--duration S] [--only validate|imagepolicy|mutate]
 *                                     [--connections N] [--cpu-prof DIR]
 *
 * `--cpu-prof DIR` runs the server under `node --cpu-prof`, writes its .cpuprofile to DIR and
 * prints where its CPU time went (the figures of such a run are not the benchmark's: the
 * profiler costs throughput).
 */
import { readdirSync, readFileSync, mkdtempSync, rmSync, mkdirSync, statSync } from 'node:fs';
import { tmpdir, availableParallelism, cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { admissionReview, deployment, imageReview, privilegedPod } from '../admission/testkit.js';
import { postJson } from '../server/https-post.js';
import { spawnServe, type ServeProcess } from '../server/spawn-serve.js';
import { writeTestCertificate } from '../server/test-tls.js';
import { flag, fmtRate, percentile, printRows, progress, type BenchRow } from './measure.js';

const DURATION = Number(flag('--duration') ?? 10);
const WARMUP = 2;
const CONNECTIONS = Number(flag('--connections') ?? 16);
/** `--only validate|imagepolicy|mutate` runs one endpoint. */
const ONLY = flag('--only');
const CPU_PROF = flag('--cpu-prof');
if (!(DURATION > 0) || !(CONNECTIONS > 0) || (ONLY !== undefined && !['validate', 'imagepolicy', 'mutate'].includes(ONLY))) {
  process.stderr.write('usage: admission-bench [--duration S] [--only validate|imagepolicy|mutate] [--connections N] [--cpu-prof DIR]\n');
  process.exit(2);
}

type Obj = Record<string, unknown>;

/** One request body, serialized once, and what its answer must contain. */
interface Body {
  label: string;
  buf: Buffer;
  headers: Record<string, string | number>;
  /** Substrings every answer to it must contain (uid, decision). */
  expect: string[];
}

function body(label: string, value: unknown): Body {
  const buf = Buffer.from(JSON.stringify(value));
  return { label, buf, headers: { 'content-type': 'application/json', 'content-length': buf.length }, expect: [] };
}

const NAMESPACES = ['shop', 'payments', 'search', 'checkout', 'team-a', 'monitoring', 'default'];
const NAMES = ['web', 'api', 'cart', 'catalog', 'orders', 'users', 'auth', 'frontend', 'worker', 'gateway'];
const IMAGES = [
  'registry.example.com/shop/web:1.4.2',
  'ghcr.io/acme/api:v2.11.0',
  'docker.io/library/nginx:1.27.2',
  'quay.io/prometheus/node-exporter:v1.8.2',
  'registry.example.com/payments/ledger@sha256:4c3b1a0b6e1f6a9f3f3d8e2c1b0a9f8e7d6c5b4a39281706f5e4d3c2b1a09f8e',
  'europe-docker.pkg.dev/acme-prod/images/orders:2024.11.3',
  'redis:7.4',
  'registry.example.com/shop/cart:latest',
];

/** Deployment i of the mix: every 2nd hardened, every 10th privileged, the rest as users write them. */
function deploymentFor(i: number): { manifest: Obj; kind: 'insecure' | 'hardened' | 'privileged' } {
  const kind = i % 10 === 7 ? 'privileged' : i % 2 === 0 ? 'hardened' : 'insecure';
  const manifest = deployment({
    name: `${NAMES[i % NAMES.length]}-${i}`,
    namespace: NAMESPACES[i % NAMESPACES.length],
    hardened: kind === 'hardened',
    image: IMAGES[i % IMAGES.length],
  });
  const pod = ((manifest.spec as Obj).template as Obj).spec as Obj;
  const containers = pod.containers as Obj[];
  const env = containers[0].env as Obj[];
  for (let e = 0; e < (i * 3) % 13; e++) env.push({ name: `FEATURE_${e}`, value: e % 2 ? 'true' : `https://svc-${e}.${NAMESPACES[i % NAMESPACES.length]}.svc:8443` });
  if (i % 3 === 0) {
    const sidecar: Obj = {
      name: 'proxy', image: 'envoyproxy/envoy:v1.31.2', args: ['--config-path', '/etc/envoy/envoy.yaml'],
      ports: [{ name: 'proxy', containerPort: 9901, protocol: 'TCP' }],
      resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '200m', memory: '128Mi' } },
      volumeMounts: [{ name: 'tmp', mountPath: '/etc/envoy' }],
    };
    if (kind === 'hardened') sidecar.securityContext = { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } };
    containers.push(sidecar);
  }
  if (kind === 'privileged') {
    containers[0].securityContext = { privileged: true };
    pod.hostNetwork = true;
  }
  ((manifest.spec as Obj).replicas as number) = 1 + (i % 5);
  return { manifest, kind };
}

const DISTINCT = 50;

function admissionBodies(): { bodies: Body[]; kinds: string[] } {
  const bodies: Body[] = [];
  const kinds: string[] = [];
  for (let i = 0; i < DISTINCT; i++) {
    const { manifest, kind } = deploymentFor(i);
    bodies.push(body(`${kind} Deployment #${i}`, admissionReview(manifest)));
    kinds.push(kind);
  }
  return { bodies, kinds };
}

function imageBodies(): Body[] {
  const out: Body[] = [];
  for (let i = 0; i < DISTINCT; i++) {
    const n = 1 + (i % 3);
    const images = Array.from({ length: n }, (_, k) => IMAGES[(i + k * 3) % IMAGES.length]);
    if (i % 9 === 4) images.push('busybox');
    out.push(body(`ImageReview #${i} (${images.length} images)`, imageReview(images, { namespace: NAMESPACES[i % NAMESPACES.length] })));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Checking answers before the load

function fail(message: string): never {
  throw new Error(`sanity check: ${message}`);
}

async function checkAdmission(server: ServeProcess, ca: string, path: '/validate' | '/mutate', bodies: Body[], kinds: string[]): Promise<void> {
  const extra = path === '/validate' ? [body('privileged Pod', admissionReview(privilegedPod()))] : [];
  for (const [i, b] of [...bodies, ...extra].entries()) {
    const kind = i < bodies.length ? kinds[i] : 'privileged';
    const answer = await postJson(`${server.url}${path}`, b.buf, { ca });
    if (answer.status !== 200) fail(`${path} ${b.label}: HTTP ${answer.status} ${answer.body.slice(0, 300)}`);
    const review = JSON.parse(answer.body) as { kind?: string; response?: { uid?: string; allowed?: boolean; status?: { code?: number }; warnings?: string[]; patch?: string; patchType?: string } };
    const r = review.response;
    const uid = ((JSON.parse(b.buf.toString()) as Obj).request as Obj).uid as string;
    if (review.kind !== 'AdmissionReview' || !r || r.uid !== uid) fail(`${path} ${b.label}: not an AdmissionReview answering uid ${uid}: ${answer.body.slice(0, 300)}`);
    if (path === '/validate') {
      if (kind === 'privileged' && (r.allowed !== false || r.status?.code !== 403)) fail(`${path} ${b.label}: expected a 403 denial, got ${answer.body.slice(0, 300)}`);
      if (kind !== 'privileged' && r.allowed !== true) fail(`${path} ${b.label}: expected allowed, got ${answer.body.slice(0, 300)}`);
      if (kind === 'insecure' && !(r.warnings ?? []).some((w) => /restricted/.test(w))) fail(`${path} ${b.label}: expected PSS restricted warnings, got ${answer.body.slice(0, 300)}`);
    } else {
      if (r.allowed !== true) fail(`${path} ${b.label}: a mutating answer must allow, got ${answer.body.slice(0, 300)}`);
      if (kind === 'insecure' && (r.patchType !== 'JSONPatch' || !r.patch)) fail(`${path} ${b.label}: expected a JSONPatch, got ${answer.body.slice(0, 300)}`);
    }
    // Under load, every answer to this body must say the same.
    if (i < bodies.length) b.expect = [`"uid":"${uid}"`, `"allowed":${r.allowed}`];
  }
}

async function checkImages(server: ServeProcess, ca: string, bodies: Body[]): Promise<void> {
  for (const b of bodies) {
    const answer = await postJson(`${server.url}/imagepolicy`, b.buf, { ca });
    if (answer.status !== 200) fail(`/imagepolicy ${b.label}: HTTP ${answer.status} ${answer.body.slice(0, 300)}`);
    const review = JSON.parse(answer.body) as { kind?: string; spec?: { containers?: { image: string }[] }; status?: { allowed?: boolean; reason?: string } };
    const images = (review.spec?.containers ?? []).map((c) => c.image);
    const bad = images.some((i) => i.endsWith(':latest') || i === 'busybox');
    if (review.kind !== 'ImageReview' || review.status?.allowed !== !bad) fail(`/imagepolicy ${b.label}: expected allowed=${!bad}, got ${answer.body.slice(0, 300)}`);
    if (bad && !review.status.reason) fail(`/imagepolicy ${b.label}: a denial without a reason`);
    b.expect = [`"allowed":${!bad}`, `"image":"${images[0]}"`];
  }
}

// ---------------------------------------------------------------------------------------------
// Load

interface LoadResult {
  /** Answers that were 200 and matched their body's expected answer. */
  ok: number;
  non2xx: number;
  /** 200 answers that did not match (another uid, another decision). */
  wrong: number;
  errors: number;
  /** Latency of every answer, ms. */
  latencies: number[];
  /** Wall seconds from the first request to the last answer (or the end of the run). */
  seconds: number;
  /** Server CPU seconds (user + system, all threads) during the run. */
  serverCpu: number;
  /** This process's CPU seconds during the run. */
  clientCpu: number;
  /** CPU seconds every other process on the machine used during the run (noise). */
  otherCpu: number;
  /** Fixed-rate runs: how late requests were sent relative to their schedule, ms. */
  lag?: number[];
  sent: number;
}

const CLK_TCK = 100;
/** CPU seconds (user + system) a process has used, from /proc; 0 where there is no /proc. */
function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / CLK_TCK;
  } catch {
    return 0;
  }
}

/** CPU seconds the whole machine has been busy (every core, steal included), from /proc/stat. */
function machineBusySeconds(): number {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal (guest time is in user already)
    return (f[0] + f[1] + f[2] + f[5] + f[6] + f[7]) / CLK_TCK;
  } catch {
    return 0;
  }
}

/** CPU use of the server, this process and everything else, from a start point to now. */
function cpuSince(pid: number, start: { server: number; client: NodeJS.CpuUsage; machine: number }): { serverCpu: number; clientCpu: number; otherCpu: number } {
  const serverCpu = cpuSeconds(pid) - start.server;
  const c = process.cpuUsage(start.client);
  const clientCpu = (c.user + c.system) / 1e6;
  return { serverCpu, clientCpu, otherCpu: Math.max(0, machineBusySeconds() - start.machine - serverCpu - clientCpu) };
}

function cpuStart(pid: number) {
  return { server: cpuSeconds(pid), client: process.cpuUsage(), machine: machineBusySeconds() };
}

function matches(b: Body, text: string): boolean {
  for (const e of b.expect) if (!text.includes(e)) return false;
  return true;
}

/**
 * A lean HTTP/1.1 client for the open-loop runs: `size` keep-alive TLS connections, a request
 * written as one prebuilt buffer, the answer read by Content-Length (what fastify sends). Requests
 * wait in a queue when every connection is busy, as they would in an API server's client. (Node's
 * https client costs about as much CPU per request as the server does, on the same cores.)
 */
class Pool {
  private readonly idle: Conn[] = [];
  private readonly queue: Pending[] = [];
  private queueHead = 0;

  private constructor(private readonly conns: Conn[]) {
    for (const c of conns) c.pool = this;
    this.idle.push(...conns);
  }

  static async open(url: string, ca: string, size: number): Promise<Pool> {
    const u = new URL(url);
    const conns = await Promise.all(Array.from({ length: size }, () => Conn.open(u.hostname, Number(u.port), ca)));
    return new Pool(conns);
  }

  send(p: Pending): void {
    const c = this.idle.pop();
    if (c) c.send(p);
    else this.queue.push(p);
  }

  /** A connection finished its request: give it the next waiting one, or park it. */
  free(c: Conn): void {
    if (this.queueHead < this.queue.length) {
      const p = this.queue[this.queueHead];
      this.queue[this.queueHead++] = undefined as never;
      if (this.queueHead === this.queue.length) this.queue.length = this.queueHead = 0;
      c.send(p);
    } else this.idle.push(c);
  }

  close(): void {
    for (const c of this.conns) c.close();
  }
}

interface Pending {
  request: Buffer;
  /** status 0: the connection failed. */
  done(status: number, text: string): void;
}

class Conn {
  pool!: Pool;
  private buf: Buffer | undefined;
  private current: Pending | undefined;
  private closed = false;

  private constructor(private sock: TLSSocket, private readonly host: string, private readonly port: number, private readonly ca: string) {
    this.attach();
  }

  static open(host: string, port: number, ca: string): Promise<Conn> {
    return new Promise((resolveConn, reject) => {
      const sock = tlsConnect({ host, port, ca }, () => resolveConn(new Conn(sock, host, port, ca)));
      sock.once('error', reject);
    });
  }

  private attach(): void {
    this.sock.setNoDelay(true);
    this.sock.on('data', (chunk: Buffer) => this.onData(chunk));
    this.sock.on('error', () => {});
    this.sock.on('close', () => {
      const p = this.current;
      this.current = undefined;
      this.buf = undefined;
      p?.done(0, '');
      if (this.closed) return;
      // The server closed the connection (it should not): open another, then take more work.
      this.sock = tlsConnect({ host: this.host, port: this.port, ca: this.ca }, () => this.pool.free(this));
      this.attach();
    });
  }

  send(p: Pending): void {
    this.current = p;
    this.sock.write(p.request);
  }

  private onData(chunk: Buffer): void {
    const buf = (this.buf = this.buf ? Buffer.concat([this.buf, chunk]) : chunk);
    const headEnd = buf.indexOf('\r\n\r\n');
    if (headEnd < 0) return;
    const head = buf.toString('latin1', 0, headEnd);
    const m = /\r\ncontent-length:\s*(\d+)/i.exec(head);
    if (!m) {
      // Not an answer this client can read (chunked): count it as a failed request.
      this.sock.destroy();
      return;
    }
    const end = headEnd + 4 + Number(m[1]);
    if (buf.length < end) return;
    const status = Number(head.slice(9, 12));
    const text = buf.toString('utf8', headEnd + 4, end);
    this.buf = buf.length > end ? buf.subarray(end) : undefined;
    const p = this.current!;
    this.current = undefined;
    p.done(status, text);
    this.pool.free(this);
  }

  close(): void {
    this.closed = true;
    this.sock.destroy();
  }
}

/** `POST path` with the body, as one buffer: request line, headers, body. */
function rawRequest(server: ServeProcess, path: string, b: Body): Buffer {
  const host = new URL(server.url).host;
  return Buffer.concat([Buffer.from(`POST ${path} HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\nContent-Length: ${b.buf.length}\r\n\r\n`, 'latin1'), b.buf]);
}

/** Open loop: request i is sent at t0 + i/rate, on the pool's keep-alive connections. */
async function paced(server: ServeProcess, pool: Pool, path: string, bodies: Body[], rate: number, seconds: number): Promise<LoadResult> {
  const total = Math.round(rate * seconds);
  const r: LoadResult = { ok: 0, non2xx: 0, wrong: 0, errors: 0, latencies: [], seconds: 0, serverCpu: 0, clientCpu: 0, otherCpu: 0, lag: [], sent: 0 };
  const raw = bodies.map((b) => rawRequest(server, path, b));
  const cpu0 = cpuStart(server.pid);
  const t0 = performance.now();
  let done = 0;
  let settled = false;
  await new Promise<void>((resolveAll) => {
    // A server that stops answering fails the run instead of hanging the benchmark.
    const deadline = setTimeout(() => {
      settled = true;
      r.errors += r.sent - done;
      resolveAll();
    }, (seconds + 30) * 1000);
    const fire = (i: number) => {
      const b = bodies[i % bodies.length];
      const start = performance.now();
      r.lag!.push(start - (t0 + (i * 1000) / rate));
      r.sent++;
      pool.send({
        request: raw[i % bodies.length],
        done: (status, text) => {
          if (settled) return;
          r.latencies.push(performance.now() - start);
          if (status === 0) r.errors++;
          else if (status !== 200) r.non2xx++;
          else if (!matches(b, text)) r.wrong++;
          else r.ok++;
          if (++done === total) {
            clearTimeout(deadline);
            resolveAll();
          }
        },
      });
    };
    let next = 0;
    const tick = () => {
      const due = Math.min(total, Math.floor(((performance.now() - t0) * rate) / 1000) + 1);
      while (next < due) fire(next++);
      if (next < total && !settled) setTimeout(tick, 1);
    };
    tick();
  });
  r.seconds = (performance.now() - t0) / 1000;
  Object.assign(r, cpuSince(server.pid, cpu0));
  return r;
}

/** Closed loop: `CONNECTIONS` autocannon connections, each sending its next request on an answer. */
async function flatOut(server: ServeProcess, path: string, bodies: Body[], seconds: number): Promise<LoadResult> {
  const r: LoadResult = { ok: 0, non2xx: 0, wrong: 0, errors: 0, latencies: [], seconds: 0, serverCpu: 0, clientCpu: 0, otherCpu: 0, sent: 0 };
  const requests = bodies.map((b) => ({
    method: 'POST' as const,
    path,
    headers: { 'content-type': 'application/json' },
    body: b.buf,
    onResponse: (status: number, text: string) => {
      if (status !== 200) r.non2xx++;
      else if (!matches(b, text)) r.wrong++;
      else r.ok++;
    },
  }));
  let client = 0;
  const cpu0 = cpuStart(server.pid);
  const t0 = performance.now();
  const result = await new Promise<autocannon.Result>((resolveRun, reject) => {
    const instance = autocannon({
      url: server.url,
      connections: CONNECTIONS,
      duration: seconds,
      requests,
      // Each connection starts at another place in the mix, so they do not send the same body together.
      setupClient: (c) => {
        const k = (client++ * 7) % requests.length;
        c.setRequests([...requests.slice(k), ...requests.slice(0, k)].map((q) => ({ ...q })));
      },
    }, (err, res) => (err ? reject(err) : resolveRun(res)));
    instance.on('response', (_c, _status, _bytes, ms) => { r.latencies.push(ms); });
  });
  r.seconds = (performance.now() - t0) / 1000;
  Object.assign(r, cpuSince(server.pid, cpu0));
  r.errors = result.errors;
  r.sent = result.requests.sent;
  // autocannon stops at the deadline with requests in flight; its own duration is the window.
  r.seconds = Math.min(r.seconds, result.duration);
  return r;
}

// ---------------------------------------------------------------------------------------------
// Report

const rows: BenchRow[] = [];
/** The most CPU (cores) other processes used during any run: above ~0.2 the figures are disturbed. */
let noise = 0;
const row = (r: BenchRow) => {
  rows.push(r);
  progress(`${r.name}: ${r.value} ${r.note ?? ''}`);
};

const ms = (x: number) => (x < 10 ? x.toFixed(2) : x.toFixed(1));
function latencyNote(r: LoadResult): string {
  const l = r.latencies;
  if (l.length === 0) return 'no answers';
  return `p50 ${ms(percentile(l, 50))} / p90 ${ms(percentile(l, 90))} / p99 ${ms(percentile(l, 99))} / max ${ms(l.reduce((a, b) => Math.max(a, b), 0))} ms`;
}
function problems(r: LoadResult): string {
  return `${r.non2xx} non-2xx, ${r.wrong} wrong, ${r.errors} errors`;
}
function cpuNote(r: LoadResult, answers: number): string {
  noise = Math.max(noise, r.otherCpu / r.seconds);
  return `server CPU ${(r.serverCpu / r.seconds).toFixed(2)} cores (${Math.round((r.serverCpu * 1e6) / Math.max(1, answers))} µs/req), load generator ${(r.clientCpu / r.seconds).toFixed(2)}, other processes ${(r.otherCpu / r.seconds).toFixed(2)}`;
}

async function fixedRate(server: ServeProcess, ca: string, path: string, bodies: Body[], rate: number, latencyTarget: number | undefined): Promise<void> {
  const pool = await Pool.open(server.url, ca, CONNECTIONS);
  try {
    progress(`${path}: warm-up, ${WARMUP} s at ${fmtRate(rate)} req/s`);
    await paced(server, pool, path, bodies, rate, WARMUP);
    progress(`${path}: ${DURATION} s at ${fmtRate(rate)} req/s`);
    const r = await paced(server, pool, path, bodies, rate, DURATION);
    // From the first request to the last answer: the offered rate if the server kept up.
    const achieved = r.ok / r.seconds;
    const p99 = r.latencies.length ? percentile(r.latencies, 99) : Infinity;
    const lag99 = percentile(r.lag!, 99);
    // Kept up: every request answered correctly, at 99 % of the offered rate or better (the
    // window ends with the last answer, so a server that keeps up shows a hair under the rate).
    const keptUp = r.ok === r.sent && achieved >= rate * 0.99;
    row({
      name: `${path} at ${fmtRate(rate)} req/s offered (open loop, ≤ ${CONNECTIONS} conns)`,
      value: latencyTarget !== undefined ? `p99 ${ms(p99)} ms` : `${fmtRate(achieved)} req/s`,
      target: `keeps up with ${fmtRate(rate)} req/s${latencyTarget !== undefined ? `, p99 < ${latencyTarget} ms` : ''}`,
      pass: keptUp && (latencyTarget === undefined || p99 < latencyTarget),
      note: `${fmtRate(achieved)} req/s answered; ${latencyNote(r)}; ${r.ok}/${r.sent} ok, ${problems(r)}; send lag p99 ${ms(lag99)} ms; ${cpuNote(r, r.ok)}`,
    });
  } finally {
    pool.close();
  }
}

async function maxThroughput(server: ServeProcess, path: string, bodies: Body[], target: number | undefined): Promise<void> {
  progress(`${path}: warm-up, ${WARMUP} s flat out`);
  await flatOut(server, path, bodies, WARMUP);
  progress(`${path}: ${DURATION} s flat out, ${CONNECTIONS} connections`);
  const r = await flatOut(server, path, bodies, DURATION);
  const rps = r.ok / r.seconds;
  row({
    name: `${path} max throughput (${CONNECTIONS} conns, autocannon)`,
    value: `${fmtRate(rps)} req/s`,
    ...(target !== undefined ? { target: `≥ ${fmtRate(target)} req/s`, pass: rps >= target && r.non2xx + r.wrong + r.errors === 0 } : {}),
    note: `${latencyNote(r)}; ${problems(r)}; ${cpuNote(r, r.ok)}`,
  });
}

// ---------------------------------------------------------------------------------------------
// Profile summary (--cpu-prof)

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

function summarizeProfile(file: string): string {
  const prof = JSON.parse(readFileSync(file, 'utf8')) as { nodes: ProfileNode[]; samples: number[]; startTime: number; endTime: number };
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const short = (url: string) => url.replace(/^file:\/\//, '').replace(resolve('.') + '/', '').replace(/.*node_modules\//, '');
  const label = (n: ProfileNode) => `${n.callFrame.functionName || '(anonymous)'} ${short(n.callFrame.url)}${n.callFrame.url ? `:${n.callFrame.lineNumber + 1}` : ''}`;
  const self = new Map<string, number>();
  const incl = new Map<string, number>();
  const files = new Map<string, number>();
  const total = prof.samples.length;
  let busy = 0;
  for (const id of prof.samples) {
    const leaf = byId.get(id)!;
    const name = label(leaf);
    self.set(name, (self.get(name) ?? 0) + 1);
    if (leaf.callFrame.functionName !== '(idle)') busy++;
    const file = leaf.callFrame.url ? short(leaf.callFrame.url).replace(/^(dist\/[^/]+)\/.*$/, '$1/…').replace(/^([^/]+)\/.*$/, '$1') : leaf.callFrame.functionName;
    files.set(file, (files.get(file) ?? 0) + 1);
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const n = label(byId.get(cur)!);
      if (!seen.has(n)) {
        seen.add(n);
        incl.set(n, (incl.get(n) ?? 0) + 1);
      }
    }
  }
  const pct = (n: number) => `${((100 * n) / busy).toFixed(1).padStart(5)}%`;
  const top = (m: Map<string, number>, k: number, skip: (s: string) => boolean = () => false) =>
    [...m].filter(([n]) => !skip(n)).sort((a, b) => b[1] - a[1]).slice(0, k).map(([n, c]) => `  ${pct(c)}  ${n}`).join('\n');
  return [
    `server CPU profile ${file}: ${total} samples over ${((prof.endTime - prof.startTime) / 1e6).toFixed(1)} s, ${busy} not idle (percentages of those)`,
    'self time by package / module:',
    top(files, 15, (n) => n === '(idle)'),
    'self time by function:',
    top(self, 30, (n) => n.startsWith('(idle)')),
    'inclusive time by function (Palisade code and its direct libraries):',
    top(incl, 40, (n) => n.startsWith('(root)') || n.startsWith('(idle)') || n.startsWith('(program)')),
  ].join('\n');
}

// ---------------------------------------------------------------------------------------------

const dir = mkdtempSync(join(tmpdir(), 'palisade-admission-bench-'));
let server: ServeProcess | undefined;
try {
  const tls = await writeTestCertificate(dir);
  if (CPU_PROF) mkdirSync(CPU_PROF, { recursive: true });
  // The temporary directory as working directory: no ./.palisade.yaml changes the defaults.
  server = await spawnServe(['serve', '--tls-cert', tls.certFile, '--tls-key', tls.keyFile, '--profile', 'cks'], {
    cwd: dir,
    ...(CPU_PROF ? { nodeArgs: ['--cpu-prof', '--cpu-prof-dir', resolve(CPU_PROF)] } : {}),
  });
  progress(`server pid ${server.pid} at ${server.url}: ${server.stderr().trim()}`);

  const admission = admissionBodies();
  const mutateBodies = admissionBodies();
  const images = imageBodies();
  const avg = (bs: Body[]) => Math.round(bs.reduce((a, b) => a + b.buf.length, 0) / bs.length);
  progress(`${DISTINCT} AdmissionReviews (${avg(admission.bodies)} bytes on average), ${DISTINCT} ImageReviews (${avg(images)} bytes)`);
  await checkAdmission(server, tls.cert, '/validate', admission.bodies, admission.kinds);
  await checkAdmission(server, tls.cert, '/mutate', mutateBodies.bodies, mutateBodies.kinds);
  await checkImages(server, tls.cert, images);
  progress('every distinct body answered as expected');

  if (!ONLY || ONLY === 'validate') {
    await fixedRate(server, tls.cert, '/validate', admission.bodies, 2000, 5);
    await maxThroughput(server, '/validate', admission.bodies, 2000);
  }
  if (!ONLY || ONLY === 'imagepolicy') {
    await fixedRate(server, tls.cert, '/imagepolicy', images, 5000, undefined);
    await maxThroughput(server, '/imagepolicy', images, 5000);
  }
  if (!ONLY || ONLY === 'mutate') await maxThroughput(server, '/mutate', mutateBodies.bodies, undefined);

  const logged = server.stderr().trim().split('\n').slice(1).filter((l) => l.trim() !== '');
  if (logged.length > 0) progress(`the server logged ${logged.length} lines, e.g. ${logged.slice(0, 3).join(' | ')}`);
  await server.stop('SIGTERM');
  const cores = availableParallelism();
  printRows(
    `Palisade admission server benchmark — node ${process.version}, ${cores} cores (${cpus()[0]?.model.trim() ?? 'unknown CPU'}), ` +
      `server and load generator on the same machine${cores <= 2 ? ', sharing its cores' : ''} (${new Date().toISOString()})`,
    rows,
  );
  if (noise > 0.2) process.stdout.write(`\nwarning: other processes kept up to ${noise.toFixed(2)} cores busy during a run: these figures are lower than the machine's\n`);
  if (CPU_PROF) {
    const profiles = readdirSync(CPU_PROF).filter((f) => f.endsWith('.cpuprofile')).map((f) => join(CPU_PROF, f));
    const newest = profiles.sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
    process.stdout.write(`\n(figures above measured under --cpu-prof: lower than without it)\n\n${newest ? summarizeProfile(newest) : `no .cpuprofile in ${CPU_PROF}`}\n`);
  }
} finally {
  await server?.stop('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
}
