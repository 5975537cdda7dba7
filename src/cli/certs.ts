/**
 * `palisade certs generate`: a CA and the admission webhook's serving certificate, written as
 * ca.crt, ca.key, tls.crt and tls.key. Parses flags, calls src/admission/install, prints what
 * was written and what to do next. Bad input is one line, exit 2.
 */
import { Command, Option } from 'commander';
import {
  caBundleOf, certificateFiles, generateCertificates, writeFiles, InstallError, KEY_TYPES, MAX_DAYS, TLS_SECRET, type KeyType,
} from '../admission/install/index.js';
import { UsageError } from './errors.js';

interface GenerateFlags {
  service?: string;
  namespace?: string;
  out?: string;
  days: string;
  dns: string[];
  keyType: KeyType;
  force?: boolean;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** Errors the user can fix become one line (exit 2); anything else is a bug and keeps its stack. */
export async function userErrors<T>(run: () => T | Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof InstallError) throw new UsageError(err.message);
    throw err;
  }
}

export function wholeNumber(flag: string, text: string): number {
  if (!/^-?\d+$/.test(text.trim())) throw new UsageError(`${flag}: expected a whole number, got "${text}"`);
  return Number(text);
}

/** A flag the command cannot do without: one line when missing (commander's own message adds a second). */
export function required(flag: string, value: string | undefined, what: string): string {
  if (value === undefined || value.trim() === '') throw new UsageError(`${flag} ${what} is required`);
  return value;
}

const day = (d: Date) => d.toISOString().slice(0, 10);

export function registerCerts(program: Command, _setExit: (code: number) => void): void {
  const certs = program.command('certs').description('TLS certificates for the admission webhook');
  certs
    .command('generate')
    .description('Write a CA (ca.crt, ca.key) and a serving certificate it signs (tls.crt, tls.key) for the Service the API server calls')
    .option('--service <name>', 'the Service in front of the webhook (required; SANs: S, S.N, S.N.svc, S.N.svc.cluster.local)')
    .option('--namespace <namespace>', "the Service's namespace (required)")
    .option('--out <dir>', 'directory to write the four files to (required; created 0700 when missing)')
    .option('--days <n>', `validity of both certificates, 1 to ${MAX_DAYS} days`, '365')
    .option('--dns <name>', 'another DNS name (or IP address) for the serving certificate (repeat)', collect, [])
    .addOption(new Option('--key-type <type>', 'ECDSA P-256 or RSA 2048, SHA-256 signatures').choices(KEY_TYPES).default('ecdsa'))
    .option('--force', 'overwrite files that already exist')
    .action(async (flags: GenerateFlags) => {
      const service = required('--service', flags.service, 'NAME (the Service the API server calls)');
      const namespace = required('--namespace', flags.namespace, 'NAMESPACE (the Service\'s namespace)');
      const out = required('--out', flags.out, 'DIR (where to write ca.crt, ca.key, tls.crt, tls.key)');
      const days = wholeNumber('--days', flags.days);
      const bundle = await userErrors(() => generateCertificates({
        service, namespace, days, dns: flags.dns, keyType: flags.keyType,
      }));
      const written = await userErrors(() => writeFiles(out, certificateFiles(bundle), { force: flags.force === true, flag: '--out' }));
      const path = (name: string) => written.find((w) => w.path.endsWith(`/${name}`) || w.path.endsWith(`\\${name}`))!.path;
      const sans = [...bundle.dnsNames, ...bundle.ipAddresses].join(', ');
      const ns = namespace;
      const lines = [
        `wrote ${path('ca.crt')}   CA certificate: ${bundle.caSubject}`,
        `wrote ${path('ca.key')}   CA private key (0600): keep it off the cluster; it only signs a new tls.crt`,
        `wrote ${path('tls.crt')}  serving certificate: ${bundle.subject}, SANs ${sans}`,
        `wrote ${path('tls.key')}  serving private key (0600)`,
        `valid ${day(bundle.notBefore)} to ${day(bundle.notAfter)} (${days} days), ${flags.keyType === 'rsa' ? 'RSA 2048' : 'ECDSA P-256'}, SHA-256`,
        '',
        'Next:',
        `  kubectl create namespace ${ns}`,
        `  kubectl -n ${ns} create secret tls ${TLS_SECRET} --cert=${path('tls.crt')} --key=${path('tls.key')}`,
        `  palisade install --print --namespace ${ns} --ca-file ${path('ca.crt')} | kubectl apply -f -`,
      ];
      if (service !== 'palisade') {
        lines.push(`  (palisade install --print names its Service "palisade": this certificate, for "${service}", fits a Service you deploy yourself)`);
      }
      lines.push('', 'caBundle (base64 of ca.crt) for clientConfig.caBundle of a webhook configuration:', `  ${caBundleOf(bundle.caCert)}`);
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
