/**
 * The kubeconfig the API server reads from `--audit-webhook-config-file`: where to POST the
 * EventLists (`clusters[].cluster.server`), which CA to trust, and how to authenticate. The CA
 * is public and is embedded; client keys and tokens are referenced by path, never printed.
 */
import { stringify } from 'yaml';
import { webhookKubeconfigDocument, webhookUrl } from '../model/index.js';

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
  const url = webhookUrl(opts.url, { allowHttp: true });
  const doc = webhookKubeconfigDocument({
    name: opts.name ?? 'palisade-audit',
    server: url,
    caPem: opts.caPem,
    clientCertificate: opts.clientCertificate,
    clientKey: opts.clientKey,
    tokenFile: opts.tokenFile,
  });
  const header = [
    '# Audit webhook backend for kube-apiserver: --audit-webhook-config-file=<this file>',
    '# (with --audit-policy-file; batch mode is the default: --audit-webhook-mode=batch)',
    ...(url.protocol === 'http:' ? ['# WARNING: plain http — audit events (and the secrets they may name) cross the network unencrypted'] : []),
  ];
  return `${header.join('\n')}\n${stringify(doc)}`;
}
