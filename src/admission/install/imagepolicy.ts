/**
 * `palisade install imagepolicy`: the two files kube-apiserver needs to call Palisade's
 * ImagePolicyWebhook backend: an AdmissionConfiguration (apiserver.config.k8s.io/v1) for
 * --admission-control-config-file, and the kubeconfig it names. Values are checked as the
 * API server checks them at start-up (plugin/pkg/admission/imagepolicy/config.go), so a
 * mistake is one line here rather than an API server that does not come back.
 */
import { readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { webhookKubeconfigDocument, webhookUrl } from '../../model/index.js';
import { checkCaPem } from './certs.js';
import { errorCode } from '../../model/index.js';
import { InstallError } from './errors.js';
import type { OutputFile } from './files.js';

export const ADMISSION_CONFIG_FILE = 'admission-config.yaml';
export const IMAGEPOLICY_KUBECONFIG_FILE = 'imagepolicy-kubeconfig.yaml';

export interface ImagePolicyOptions {
  /** The backend, e.g. https://palisade.example.com:8443/imagepolicy (https only). */
  url: string;
  /** Path of the CA certificate that signed the backend's certificate (referenced, not inlined). */
  caFile: string;
  clientCert?: string;
  clientKey?: string;
  /** Directory the files are written to (also the paths the API server will read). */
  outDir: string;
  /** Seconds to cache approvals: 0 = default (300), -1 = disabled, else 1..1800. */
  allowTTL?: number;
  /** Seconds to cache denials: 0 = default (30), -1 = disabled, else 1..1800. */
  denyTTL?: number;
  /** Milliseconds of initial retry backoff: 0 = default (500), -1 = disabled, else 1..300000. */
  retryBackoff?: number;
  /** Admit pods when the backend cannot be reached (fail open). Default false. */
  defaultAllow?: boolean;
}

export interface ImagePolicyFiles {
  files: OutputFile[];
  /** Absolute paths as written into the files. */
  admissionConfigPath: string;
  kubeconfigPath: string;
  caFile: string;
  clientCert?: string;
  clientKey?: string;
  /** The directories the kube-apiserver pod must see (at the same paths). */
  mountDirs: string[];
  config: { allowTTL: number; denyTTL: number; retryBackoff: number; defaultAllow: boolean };
}

/**
 * One duration as the API server normalizes it: -1 disables, 0 takes the default, anything
 * else must lie in [min, max] (whole units: the field is a Go time.Duration multiplied by the unit).
 */
export function checkDuration(flag: string, value: number, min: number, max: number, unit: string): number {
  if (!Number.isInteger(value) || (value !== -1 && value !== 0 && (value < min || value > max))) {
    throw new InstallError(`${flag}: expected -1 (disabled), 0 (default) or ${min} to ${max} ${unit}, got "${value}"`);
  }
  return value;
}

export function imagePolicyFiles(opts: ImagePolicyOptions): ImagePolicyFiles {
  let url: URL;
  try {
    url = webhookUrl(opts.url, { allowHttp: false });
  } catch (err) {
    throw new InstallError((err as Error).message);
  }
  const allowTTL = checkDuration('--allow-ttl', opts.allowTTL ?? 50, 1, 1800, 'seconds');
  const denyTTL = checkDuration('--deny-ttl', opts.denyTTL ?? 50, 1, 1800, 'seconds');
  const retryBackoff = checkDuration('--retry-backoff', opts.retryBackoff ?? 500, 1, 300_000, 'milliseconds');
  const defaultAllow = opts.defaultAllow ?? false;
  if ((opts.clientCert === undefined) !== (opts.clientKey === undefined)) {
    throw new InstallError('--client-cert and --client-key go together');
  }
  const outDir = resolve(opts.outDir);
  const caFile = resolve(opts.caFile);
  const clientCert = opts.clientCert !== undefined ? resolve(opts.clientCert) : undefined;
  const clientKey = opts.clientKey !== undefined ? resolve(opts.clientKey) : undefined;
  // The API server refuses to start on a CA it cannot read or parse: say so now.
  let caText: string;
  try {
    caText = readFileSync(caFile, 'utf8');
  } catch (err) {
    throw new InstallError(`--ca-file ${opts.caFile}: cannot read (${errorCode(err)})`);
  }
  checkCaPem('--ca-file', opts.caFile, caText);
  for (const [flag, path] of [['--client-cert', clientCert], ['--client-key', clientKey]] as const) {
    if (path === undefined) continue;
    try {
      if (!statSync(path).isFile()) throw Object.assign(new Error(), { code: 'not a file' });
    } catch (err) {
      throw new InstallError(`${flag} ${path}: cannot use (${errorCode(err)})`);
    }
  }
  const kubeconfigPath = join(outDir, IMAGEPOLICY_KUBECONFIG_FILE);
  const admissionConfigPath = join(outDir, ADMISSION_CONFIG_FILE);

  let kubeconfig: Record<string, unknown>;
  try {
    kubeconfig = webhookKubeconfigDocument({ name: 'palisade-imagepolicy', server: url, caFile, clientCertificate: clientCert, clientKey });
  } catch (err) {
    throw new InstallError((err as Error).message);
  }
  const admissionConfig = {
    apiVersion: 'apiserver.config.k8s.io/v1',
    kind: 'AdmissionConfiguration',
    plugins: [{
      name: 'ImagePolicyWebhook',
      configuration: { imagePolicy: { kubeConfigFile: kubeconfigPath, allowTTL, denyTTL, retryBackoff, defaultAllow } },
    }],
  };
  const admissionHeader = [
    '# kube-apiserver: --enable-admission-plugins=...,ImagePolicyWebhook',
    `#                 --admission-control-config-file=${admissionConfigPath}`,
    '# One file serves every configurable plugin: if the API server already has one (PodSecurity,',
    '# EventRateLimit…), add this plugins[] entry to it instead.',
    `# defaultAllow: ${defaultAllow} — ${defaultAllow ? 'fail OPEN: pods are admitted when the backend cannot be reached' : 'fail closed: pods are refused when the backend cannot be reached'}.`,
  ];
  const kubeconfigHeader = [
    `# The ImagePolicyWebhook backend, read by kube-apiserver (named by ${ADMISSION_CONFIG_FILE}).`,
    '# Paths are read inside the kube-apiserver pod: they must exist there, at these paths.',
  ];
  const mountDirs = [...new Set([outDir, dirname(caFile), ...(clientCert ? [dirname(clientCert)] : []), ...(clientKey ? [dirname(clientKey)] : [])])];
  return {
    files: [
      { name: ADMISSION_CONFIG_FILE, content: `${admissionHeader.join('\n')}\n${stringify(admissionConfig)}`, mode: 0o644 },
      { name: IMAGEPOLICY_KUBECONFIG_FILE, content: `${kubeconfigHeader.join('\n')}\n${stringify(kubeconfig)}`, mode: 0o644 },
    ],
    admissionConfigPath,
    kubeconfigPath,
    caFile,
    ...(clientCert !== undefined ? { clientCert } : {}),
    ...(clientKey !== undefined ? { clientKey } : {}),
    mountDirs,
    config: { allowTTL, denyTTL, retryBackoff, defaultAllow },
  };
}

/** What to change on the control plane, printed after the files are written. */
export function imagePolicyInstructions(f: ImagePolicyFiles): string {
  const lines = [
    'Add to the kube-apiserver command (kubeadm: /etc/kubernetes/manifests/kube-apiserver.yaml), keeping the plugins already enabled:',
    '  --enable-admission-plugins=NodeRestriction,ImagePolicyWebhook',
    `  --admission-control-config-file=${f.admissionConfigPath}`,
    'and mount these host directories into the kube-apiserver pod at the same paths, read-only',
    '(skip one the pod mounts already: kubeadm mounts /etc/kubernetes/pki):',
    '  volumes:',
    ...f.mountDirs.map((d, i) => `  - {name: palisade-imagepolicy-${i}, hostPath: {path: ${d}, type: Directory}}`),
    '  volumeMounts:',
    ...f.mountDirs.map((d, i) => `  - {name: palisade-imagepolicy-${i}, mountPath: ${d}, readOnly: true}`),
    'The kubelet restarts the API server when the manifest changes; a bad file keeps it down (crictl logs shows why).',
  ];
  if (f.config.defaultAllow) lines.push('Warning: --default-allow true fails open: when the backend is unreachable, every image is admitted.');
  return `${lines.join('\n')}\n`;
}
