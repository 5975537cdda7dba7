/**
 * The kubeconfig the API server reads from `--audit-webhook-config-file`: where to POST the
 * EventLists (`clusters[].cluster.server`), which CA to trust, and how to authenticate. The CA
 * is public and is embedded; client keys and tokens are referenced by path, never printed.
 */
import { stringify } from 'yaml';

export interface WebhookConfigOptions {
  /** The receiver's URL, e.g. https://palisade.palisade.svc:8443/audit */
  url: string;
  /** PEM of the CA that signed the receiver's certificate (embedded as certificate-authority-data). */
  caPem?: string;
  /** Paths on the control-plane node, for mutual TLS. */
  clientCertificate?: string;
  clientKey?: string;
  /** Path of a bearer-token file on the control-plane node. */
  tokenFile?: string;
  name?: string;
}

export function webhookKubeconfig(opts: WebhookConfigOptions): string {
  let url: URL;
  try {
    url = new URL(opts.url);
  } catch {
    throw new Error(`--url: not a URL: "${opts.url}"`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error(`--url: expected https://…, got "${opts.url}"`);
  if ((opts.clientCertificate === undefined) !== (opts.clientKey === undefined)) {
    throw new Error('--client-cert and --client-key go together');
  }
  const name = opts.name ?? 'palisade-audit';
  const cluster: Record<string, string> = { server: url.toString() };
  if (opts.caPem !== undefined) {
    if (!opts.caPem.includes('-----BEGIN CERTIFICATE-----')) throw new Error('--ca-file: not a PEM certificate');
    cluster['certificate-authority-data'] = Buffer.from(opts.caPem).toString('base64');
  }
  const user: Record<string, string> = {};
  if (opts.clientCertificate !== undefined) user['client-certificate'] = opts.clientCertificate;
  if (opts.clientKey !== undefined) user['client-key'] = opts.clientKey;
  if (opts.tokenFile !== undefined) user.tokenFile = opts.tokenFile;
  const header = [
    '# Audit webhook backend for kube-apiserver: --audit-webhook-config-file=<this file>',
    '# (with --audit-policy-file; batch mode is the default: --audit-webhook-mode=batch)',
    ...(url.protocol === 'http:' ? ['# WARNING: plain http — audit events (and the secrets they may name) cross the network unencrypted'] : []),
  ];
  const doc = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster }],
    users: [{ name, user }],
    contexts: [{ name, context: { cluster: name, user: name } }],
    'current-context': name,
  };
  return `${header.join('\n')}\n${stringify(doc)}`;
}
