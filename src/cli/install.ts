/**
 * `palisade install --print`: the manifests that deploy the admission server (pipe them to
 * kubectl apply). `palisade install imagepolicy`: the AdmissionConfiguration and kubeconfig
 * kube-apiserver needs for the ImagePolicyWebhook. Parses flags, calls src/admission/install,
 * prints. Bad input is one line, exit 2.
 */
import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import {
  checkCaPem, imagePolicyFiles, imagePolicyInstructions, renderInstall, writeFiles,
  DEFAULT_NAMESPACE, FAILURE_POLICIES, type FailurePolicy,
} from '../admission/install/index.js';
import { required, userErrors, wholeNumber } from './certs.js';
import { UsageError } from './errors.js';
import { VERSION } from './version.js';
import { errorCode } from '../model/index.js';

interface PrintFlags {
  print?: boolean;
  namespace: string;
  image?: string;
  caFile?: string;
  replicas: string;
  failurePolicy: FailurePolicy;
  mutatingFailurePolicy: FailurePolicy;
  timeout: string;
  excludeNamespace: string[];
}

interface ImagePolicyFlags {
  url?: string;
  caFile?: string;
  clientCert?: string;
  clientKey?: string;
  out?: string;
  allowTtl: string;
  denyTtl: string;
  retryBackoff: string;
  defaultAllow: string;
  force?: boolean;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function readCa(file: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`--ca-file ${file}: cannot read (${errorCode(err)})`);
  }
  return text;
}

function bool(flag: string, text: string): boolean {
  if (text === 'true') return true;
  if (text === 'false') return false;
  throw new UsageError(`${flag}: expected true or false, got "${text}"`);
}

export function registerInstall(program: Command, _setExit: (code: number) => void): void {
  const install = program
    .command('install')
    .description('Deploy the admission server: --print its manifests for kubectl apply; `install imagepolicy` writes the ImagePolicyWebhook files')
    .option('--print', 'print the manifests (YAML) on stdout: palisade install --print | kubectl apply -f -')
    .option('--namespace <namespace>', "Palisade's namespace (created, with Pod Security restricted enforced)", DEFAULT_NAMESPACE)
    .option('--image <ref>', `server image, pinned by version tag or @sha256 digest (default: the ${VERSION} release)`)
    .option('--ca-file <file>', "the CA from palisade certs generate (ca.crt): the webhooks' caBundle (without it, a placeholder to fill)")
    .option('--replicas <n>', 'server replicas (2 to 50; spread across nodes, with a PodDisruptionBudget)', '2')
    .addOption(new Option('--failure-policy <policy>', 'validating webhook when the server cannot answer: Fail refuses, Ignore admits').choices(FAILURE_POLICIES).default('Fail'))
    .addOption(new Option('--mutating-failure-policy <policy>', 'mutating webhook when the server cannot answer').choices(FAILURE_POLICIES).default('Ignore'))
    .option('--timeout <seconds>', 'webhook timeoutSeconds (1 to 30)', '5')
    .option('--exclude-namespace <namespace>', 'a namespace the webhooks never see, besides kube-system and Palisade\'s own (repeat)', collect, [])
    .action(async (flags: PrintFlags) => {
      if (flags.print !== true) {
        throw new UsageError('palisade install changes nothing by itself: use --print | kubectl apply -f - (or palisade install imagepolicy)');
      }
      const caPem = flags.caFile !== undefined ? await userErrors(() => checkCaPem('--ca-file', flags.caFile!, readCa(flags.caFile!))) : undefined;
      const text = await userErrors(() => renderInstall({
        version: VERSION,
        namespace: flags.namespace,
        image: flags.image,
        caPem,
        replicas: wholeNumber('--replicas', flags.replicas),
        failurePolicy: flags.failurePolicy,
        mutatingFailurePolicy: flags.mutatingFailurePolicy,
        timeoutSeconds: wholeNumber('--timeout', flags.timeout),
        excludeNamespaces: flags.excludeNamespace,
      }));
      process.stdout.write(text);
      if (caPem === undefined) {
        process.stderr.write('palisade: warning: no --ca-file: the webhook configurations carry a caBundle placeholder that kubectl rejects until it is filled\n');
      }
    });

  install
    .command('imagepolicy')
    .description("Write admission-config.yaml and imagepolicy-kubeconfig.yaml for kube-apiserver's ImagePolicyWebhook, pointing at Palisade")
    .option('--url <url>', 'the backend (required; https), e.g. https://palisade.example.com:8443/imagepolicy')
    .option('--ca-file <file>', "CA certificate that signed the backend's certificate (required; referenced by path)")
    .option('--client-cert <file>', 'client certificate kube-apiserver presents (mutual TLS; with --client-key)')
    .option('--client-key <file>', 'its private key')
    .option('--out <dir>', 'directory for the two files (required); the paths written are absolute, as the API server reads them')
    .option('--allow-ttl <seconds>', 'cache approvals: 1 to 1800 s, 0 = default (300), -1 = off', '50')
    .option('--deny-ttl <seconds>', 'cache denials: 1 to 1800 s, 0 = default (30), -1 = off', '50')
    .option('--retry-backoff <ms>', 'initial retry backoff: 1 to 300000 ms, 0 = default (500), -1 = off', '500')
    .option('--default-allow <bool>', 'admit pods when the backend cannot be reached (true fails open)', 'false')
    .option('--force', 'overwrite files that already exist')
    .action(async (flags: ImagePolicyFlags, cmd: Command) => {
      const url = required('--url', flags.url, 'URL (https://…/imagepolicy)');
      // `install` has a --ca-file too, and commander gives it the value wherever it is written.
      const caFile = required('--ca-file', flags.caFile ?? (cmd.optsWithGlobals() as ImagePolicyFlags).caFile, 'FILE (the CA that signed the backend\'s certificate)');
      const out = required('--out', flags.out, 'DIR (where to write the two files)');
      const files = await userErrors(() => imagePolicyFiles({
        url, caFile, outDir: out,
        clientCert: flags.clientCert,
        clientKey: flags.clientKey,
        allowTTL: wholeNumber('--allow-ttl', flags.allowTtl),
        denyTTL: wholeNumber('--deny-ttl', flags.denyTtl),
        retryBackoff: wholeNumber('--retry-backoff', flags.retryBackoff),
        defaultAllow: bool('--default-allow', flags.defaultAllow),
      }));
      const written = await userErrors(() => writeFiles(out, files.files, { force: flags.force === true, flag: '--out' }));
      const lines = written.map((w) => `wrote ${w.path}`);
      process.stdout.write(`${lines.join('\n')}\n\n${imagePolicyInstructions(files)}`);
    });
}
