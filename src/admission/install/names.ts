/** Kubernetes name rules (apimachinery validation) for the flags that become object names or DNS names. */
import { isIP } from 'node:net';
import { InstallError } from './errors.js';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/** A namespace name: a DNS-1123 label. */
export function checkNamespace(flag: string, value: string): string {
  if (value.length > 63 || !DNS1123_LABEL.test(value)) {
    throw new InstallError(`${flag}: "${value}" is not a namespace name (lower-case letters, digits and '-', at most 63, starting and ending alphanumeric)`);
  }
  return value;
}

/** A Service name: a DNS-1035 label (it must start with a letter). */
export function checkServiceName(flag: string, value: string): string {
  if (value.length > 63 || !DNS1035_LABEL.test(value)) {
    throw new InstallError(`${flag}: "${value}" is not a Service name (lower-case letters, digits and '-', at most 63, starting with a letter)`);
  }
  return value;
}

/** A DNS name for a certificate: a DNS-1123 subdomain, optionally with one leading `*.` label. */
export function isDnsName(value: string): boolean {
  const name = value.startsWith('*.') ? value.slice(2) : value;
  if (name.length === 0 || value.length > 253) return false;
  return name.split('.').every((label) => label.length <= 63 && DNS1123_LABEL.test(label));
}

/** `--dns` values: DNS names, or IP addresses (which become iPAddress SANs). */
export function splitSubjectNames(values: readonly string[]): { dns: string[]; ips: string[] } {
  const dns: string[] = [];
  const ips: string[] = [];
  for (const raw of values) {
    const v = raw.trim();
    if (isIP(v) !== 0) ips.push(v);
    else if (isDnsName(v)) dns.push(v);
    else throw new InstallError(`--dns: "${raw}" is neither a DNS name (lower case, e.g. palisade.example.com) nor an IP address`);
  }
  return { dns, ips };
}
