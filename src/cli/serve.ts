/**
 * `palisade serve`: the admission server. Validating and mutating webhooks, the
 * ImagePolicyWebhook backend, kubesec's scan API, and (with --audit) the audit webhook backend.
 */
import type { Command } from 'commander';
import { parseSize } from '../audit/index.js';
import { AdmissionService, NamespaceRegistry, Validator, inClusterSource, syncNamespaces } from '../admission/index.js';
import { checkBinding, checkPolicy, isBinding, isPolicy, loadInputs, type VapInput, type VapProblem } from '../admission/vap/index.js';
import { PROFILES, resolveParams, selectChecks, type Profile } from '../checks/index.js';
import { loadConfig } from '../policy/index.js';
import { buildServer, DEFAULT_ADMISSION_BODY_LIMIT } from '../server/index.js';
import { openStore } from '../store/index.js';
import { FatalError, UsageError } from './errors.js';
import { addAuditBackendOptions, addServerOptions, serveUntilSignal, serverFromFlags, startAuditBackend, type AuditBackend, type AuditBackendFlags, type ServerFlags } from './serving.js';

interface ServeFlags extends ServerFlags, AuditBackendFlags {
  config?: string;
  profile?: string;
  namespaces?: string[];
  vap?: string[];
  maxBody: string;
  audit?: boolean;
  auditMaxBody: string;
  clusterNamespaces: boolean;
}

function problemLine(p: VapProblem): string {
  const where = p.file ? `${p.file}${p.line ? `:${p.line}` : ''}: ` : '';
  return `${where}${p.object ? `${p.object}: ` : ''}${p.field ? `${p.field}: ` : ''}${p.message}`;
}

async function loadVap(files: readonly string[]): Promise<VapInput | undefined> {
  if (files.length === 0) return undefined;
  const loaded = await loadInputs(files);
  const errors = [...loaded.errors];
  const policies = loaded.objects.filter((l) => isPolicy(l.object));
  const bindings = loaded.objects.filter((l) => isBinding(l.object));
  for (const p of policies) errors.push(...checkPolicy(p).errors);
  for (const b of bindings) errors.push(...checkBinding(b).errors);
  if (errors.length > 0) throw new FatalError(`--vap: ${problemLine(errors[0])}${errors.length > 1 ? ` (and ${errors.length - 1} more problems)` : ''}`);
  if (policies.length === 0) throw new FatalError(`--vap: no ValidatingAdmissionPolicy in ${files.join(', ')}`);
  const params = loaded.objects.filter((l) => !isPolicy(l.object) && !isBinding(l.object)).map((l) => l.object);
  return { policies: policies.map((p) => p.object), bindings: bindings.map((b) => b.object), params };
}

async function loadNamespaces(files: readonly string[], registry: NamespaceRegistry): Promise<void> {
  if (files.length === 0) return;
  const loaded = await loadInputs(files);
  if (loaded.errors.length > 0) throw new FatalError(`--namespaces: ${problemLine(loaded.errors[0])}`);
  for (const l of loaded.objects) registry.observe(l.object);
}

export function registerServe(program: Command): void {
  const cmd = program
    .command('serve')
    .description('The admission server: /validate and /mutate (AdmissionReview v1), /imagepolicy (ImageReview), /scan (kubesec API), /metrics; /audit with --audit');
  addServerOptions(cmd);
  cmd
    .option('--config <file>', 'config file with the admission: policy, ignore rules and check parameters (default: ./.palisade.yaml if present)')
    .option('--profile <name>', `catalogue checks that take part: ${PROFILES.join(', ')} (default: the config's, else cks)`)
    .option('--namespaces <files...>', 'Namespace objects whose pod-security.kubernetes.io labels set their levels')
    .option('--no-cluster-namespaces', "in a pod, do not read Namespace labels from the API server (read every 30 s with the pod's service account)")
    .option('--vap <files...>', 'ValidatingAdmissionPolicy, binding and parameter objects evaluated on every request')
    .option('--max-body <size>', 'largest AdmissionReview, ImageReview or /scan body; bigger ones get 413', '8MiB')
    .option('--audit', 'also serve the audit webhook backend at /audit (store and rules as in `palisade audit serve`)')
    .option('--audit-max-body <size>', 'largest /audit body', '64MiB');
  addAuditBackendOptions(cmd, 'with --audit: event store, a SQLite file (default ./palisade.db) or a postgres:// URL (also $PALISADE_DB)');
  cmd.action(async (flags: ServeFlags) => {
    const server = serverFromFlags(flags);
    const size = (text: string, flag: string) => {
      try {
        return parseSize(text, flag);
      } catch (err) {
        throw new UsageError((err as Error).message);
      }
    };
    const bodyLimit = size(flags.maxBody, '--max-body') || DEFAULT_ADMISSION_BODY_LIMIT;
    const auditBodyLimit = size(flags.auditMaxBody, '--audit-max-body');
    const { config, errors } = loadConfig({ path: flags.config, cwd: process.cwd() });
    if (errors.length > 0) {
      const e = errors[0];
      throw new FatalError(`${e.file}${e.line ? `:${e.line}` : ''}: ${e.message}${errors.length > 1 ? ` (and ${errors.length - 1} more problems)` : ''}`);
    }
    const profile = (flags.profile ?? config.profile ?? 'cks') as Profile;
    if (!PROFILES.includes(profile)) throw new UsageError(`--profile: expected one of ${PROFILES.join(', ')}, got "${flags.profile}"`);
    const { selection, unmatched } = selectChecks({ profile, include: config.checks, exclude: config.skipChecks });
    if (unmatched.length > 0) server.log(`warning: no check matches ${unmatched.map((u) => JSON.stringify(u)).join(', ')}`);

    const namespaces = new NamespaceRegistry();
    await loadNamespaces(flags.namespaces ?? [], namespaces);
    const cluster = flags.clusterNamespaces ? inClusterSource() : undefined;
    const stopSync = cluster ? syncNamespaces(cluster, namespaces, server.log) : () => {};
    const vap = await loadVap(flags.vap ?? []);
    const validator = new Validator({
      ...(config.admission ? { admission: config.admission } : {}),
      config, checks: selection.checks, params: resolveParams(config.params), namespaces,
      ...(vap ? { vap } : {}),
    });
    const images = validator.admission.images;
    const service = new AdmissionService(validator, images);

    let audit: AuditBackend | undefined;
    if (flags.audit) {
      audit = await startAuditBackend(flags, async (f) => {
        try {
          return await openStore(f.db || process.env.PALISADE_DB || undefined);
        } catch (err) {
          throw new FatalError(err instanceof Error ? err.message : String(err));
        }
      });
    }
    const app = buildServer({
      ...(server.tls ? { tls: server.tls } : {}),
      admission: service, admissionBodyLimit: bodyLimit,
      ...(audit ? { audit: audit.receiver, bodyLimit: auditBodyLimit } : {}),
      log: server.log,
    });
    const parts = [`${selection.checks.length} checks`, `enforce ${validator.admission.defaults.pss.enforce}`, `warn ${validator.admission.defaults.pss.warn}`];
    if (vap) parts.push(`${vap.policies.length} ValidatingAdmissionPolicies`);
    if (audit) parts.push(`/audit into ${audit.storeKind}`);
    if (cluster) parts.push(`namespace labels from ${cluster.server}`);
    await serveUntilSignal(app, server, `admission server listening on {url} (${parts.join(', ')})`, async () => {
      stopSync();
      await audit?.stop();
    });
  });
}
