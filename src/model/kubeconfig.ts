/**
 * The kubeconfig kube-apiserver reads to call a webhook backend (the audit webhook, the
 * ImagePolicyWebhook): one cluster (the backend's URL and the CA to trust), one user (how the
 * API server authenticates to it), one context joining them. Shared by `palisade audit
 * webhook-config` and `palisade install imagepolicy`; the callers add their own header.
 */

export interface WebhookKubeconfigOptions {
  /** cluster/user/context name */
  name: string;
  /** The backend's URL, already checked with `webhookUrl`. */
  server: URL;
  /** PEM of the CA, embedded as certificate-authority-data. */
  caPem?: string;
  /** Path of the CA file as kube-apiserver sees it (certificate-authority; not inlined). */
  caFile?: string;
  /** Paths on the control-plane node, for mutual TLS. */
  clientCertificate?: string;
  clientKey?: string;
  /** Path of a bearer-token file on the control-plane node. */
  tokenFile?: string;
}

/**
 * The backend URL a kubeconfig `server:` may hold: https (http only when `allowHttp`), a host,
 * and no credentials, query or fragment. Errors are one line naming `--url`.
 */
export function webhookUrl(text: string, opts: { allowHttp: boolean }): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`--url: not a URL: "${text}"`);
  }
  const schemes = opts.allowHttp ? ['https:', 'http:'] : ['https:'];
  if (!schemes.includes(url.protocol)) {
    throw new Error(`--url: expected https://…, got "${text}"${url.protocol === 'http:' ? ' (kube-apiserver only calls this backend over https)' : ''}`);
  }
  if (url.hostname === '') throw new Error(`--url: no host in "${text}"`);
  if (url.username !== '' || url.password !== '') throw new Error('--url: credentials do not belong in the URL (use --client-cert/--client-key)');
  if (url.search !== '' || url.hash !== '') throw new Error(`--url: no ?query or #fragment allowed, got "${text}"`);
  return url;
}

/** The kubeconfig as a plain object (stringify it with the `yaml` package). */
export function webhookKubeconfigDocument(opts: WebhookKubeconfigOptions): Record<string, unknown> {
  if ((opts.clientCertificate === undefined) !== (opts.clientKey === undefined)) {
    throw new Error('--client-cert and --client-key go together');
  }
  const cluster: Record<string, string> = { server: opts.server.toString() };
  if (opts.caPem !== undefined) {
    if (!opts.caPem.includes('-----BEGIN CERTIFICATE-----')) throw new Error('--ca-file: not a PEM certificate');
    cluster['certificate-authority-data'] = Buffer.from(opts.caPem).toString('base64');
  }
  if (opts.caFile !== undefined) cluster['certificate-authority'] = opts.caFile;
  const user: Record<string, string> = {};
  if (opts.clientCertificate !== undefined) user['client-certificate'] = opts.clientCertificate;
  if (opts.clientKey !== undefined) user['client-key'] = opts.clientKey;
  if (opts.tokenFile !== undefined) user.tokenFile = opts.tokenFile;
  const name = opts.name;
  return {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster }],
    users: [{ name, user }],
    contexts: [{ name, context: { cluster: name, user: name } }],
    'current-context': name,
  };
}
