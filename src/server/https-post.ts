/** A small HTTPS/HTTP POST client for tests and benchmarks (trusting a given CA), over loopback. */
import { request as httpRequest } from 'node:http';
import { Agent, request as httpsRequest } from 'node:https';

export interface PostAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export function postJson(url: string, body: string | Buffer, opts: { ca?: string; agent?: Agent; contentType?: string } = {}): Promise<PostAnswer> {
  const u = new URL(url);
  const request = u.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(u, {
      method: 'POST',
      headers: { 'content-type': opts.contentType ?? 'application/json', 'content-length': Buffer.byteLength(body) },
      ...(u.protocol === 'https:' ? { ...(opts.agent ? { agent: opts.agent } : {}), ...(opts.ca ? { ca: opts.ca } : {}) } : {}),
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}
