/**
 * Checks: credentials in manifests — Secrets exposed through env vars, literal credentials in
 * env vars and ConfigMaps, and Secret objects committed with their values.
 *
 * Findings never carry a secret value: messages name the container, env var, key or setting
 * and say "(value redacted)"; only the *kind* of secret (e.g. "a GitHub token") is named.
 */
import { annotationsOf, apiGroupOf, asArray, envFromSecretRef, envSecretKeyRef, isObj, type JsonPath } from '../../model/index.js';
import { compileUserPattern, type UserPattern } from '../../policy/index.js';
import { Area } from '../screen.js';
import { defineCheck } from './define.js';
import { kindAndName, quotedList } from './util.js';
import type { CheckDef, CheckParams } from './types.js';

// ---------------------------------------------------------------------------------------------
// Heuristics shared by the env and ConfigMap checks

/** Names that suggest the value is a credential (case-insensitive). */
const CREDENTIAL_NAME =
  /password|passwd|secret|token|api[_-]?key|private[_-]?key|access[_-]?key|client[_-]?secret|aws_secret_access_key|credential/i;

/**
 * Suffixes naming something *about* a credential rather than the credential itself
 * (`PASSWORD_FILE`, `TOKEN_URL`, `SECRET_NAME`, `tokenTtl`…). A value-shape match still fires.
 */
const ABOUT_SUFFIXES =
  'file|path|dir|directory|url|uri|endpoint|host|port|name|ref|id|ttl|lifetime|duration|expiry|expires|expiration|timeout|interval|' +
  'length|len|type|enabled|header|algorithm|alg|issuer|audience|mount|location|version|format|provider|policy|mode';
const ABOUT_SUFFIX = new RegExp(`[_.-](?:${ABOUT_SUFFIXES})s?$`, 'i');
const ABOUT_SUFFIX_CAMEL = new RegExp(
  `[a-z0-9](?:${ABOUT_SUFFIXES.split('|').map((s) => s[0].toUpperCase() + s.slice(1)).join('|')}|URL|URI|ID|TTL)s?$`,
);

/** Values that are clearly not the secret itself: empty, placeholders, flags, small numbers, durations. */
const PLACEHOLDER =
  /^(?:<[^<>]*>|\[[^[\]]*\]|[*xX.•_-]{3,}|…|to-?do|tbd|tbc|n\/a|none|null|nil|undefined|redacted|placeholder|dummy|example|sample|unset|empty|replace[_-]?me|set[_-]?me|fill[_-]?me(?:[_-]?in)?|your[_-][\w-]*|%[A-Za-z_]+%|~)$/i;
const FLAG = /^(?:true|false|yes|no|on|off|enabled?|disabled?)$/i;
const SMALL_NUMBER = /^\d{1,5}$/;
const DURATION = /^\d+(?:\.\d+)?(?:ms|s|m|h|d)$/;
/** A path to a file that holds the secret (the secret itself is elsewhere). */
const FILE_PATH = /^(?:\/|\.{1,2}\/|~\/|file:|[A-Za-z]:\\)/;
/** `$(VAR)` (Kubernetes), `${VAR}` (shell, envsubst, Spring), `{{ … }}` (templates), `$VAR`. */
const INTERPOLATION = /\$\([A-Za-z_][A-Za-z0-9_.-]*\)|\$\{[^}]*\}|\{\{[^}]*\}\}|^\$[A-Za-z_][A-Za-z0-9_]*$/;
/** A value that is nothing but a template reference (the real value is filled in elsewhere). */
const WHOLE_INTERPOLATION = /^(?:\$\([A-Za-z_][A-Za-z0-9_.-]*\)|\$\{[^}]*\}|\{\{[^}]*\}\}|\$[A-Za-z_][A-Za-z0-9_]*)$/;
/** References to a secret manager or an encrypted value (SOPS, Vault, AWS). */
const SECRET_REFERENCE = /^(?:ENC\[|vault:|ref\+|arn:aws:(?:secretsmanager|ssm):)/;
/** A URL; bounded quantifiers keep matching linear on long values. */
const URL_START = /^[a-z][a-z0-9+.-]{0,30}:\/\//i;
const URL_PASSWORD = /\b[a-z][a-z0-9+.-]{0,30}:\/\/[^\s:@/]{0,256}:([^\s@/]{1,256})@/gi;

interface Shape {
  /** What the value looks like, for the message (never the value). */
  label: string;
  re: RegExp;
  /** Extra test on each match (`re` is then global), e.g. that a URL password is not a `$(VAR)`. */
  accept?: (m: RegExpMatchArray) => boolean;
}

/** Well-known secret formats: found anywhere in a value, whatever its name. */
const SHAPES: readonly Shape[] = [
  { label: 'a GCP service account key', re: /"private_key"\s*:\s*"[^"\s$]/ },
  { label: 'a PEM private key', re: /-----BEGIN (?:[A-Z0-9]{1,20} ){0,4}PRIVATE KEY(?: BLOCK)?-----/ },
  // The documentation example key (…EXAMPLE) is not a credential.
  { label: 'an AWS access key id', re: /\b(?:AKIA|ASIA)(?![A-Z0-9]{9}EXAMPLE)[A-Z0-9]{16}\b/ },
  { label: 'a GitHub token', re: /\b(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})\b/ },
  { label: 'a Slack token', re: /\bxox[baprs]-[A-Za-z0-9-]{10,255}/ },
  { label: 'a JSON Web Token', re: /\beyJ[A-Za-z0-9_-]{8,4096}\.[A-Za-z0-9_-]{8,8192}\.[A-Za-z0-9_-]{0,4096}/ },
  { label: 'a URL with an embedded password', re: URL_PASSWORD, accept: (m) => isLiteralSecret(m[1]) },
];

/** A substring every one of SHAPES needs (keep in sync when adding a shape). */
const SHAPE_HINT = /"private_key"|-----BEGIN |AKIA|ASIA|gh[pousr]_|github_pat_|xox[baprs]-|eyJ|:\/\//;

/** The first well-known secret format found in `value`, or undefined. */
function secretShape(value: string): string | undefined {
  // Almost no value holds a secret: one pass for what every shape needs before trying each.
  if (!SHAPE_HINT.test(value)) return undefined;
  for (const s of SHAPES) {
    if (s.accept) {
      for (const m of value.matchAll(s.re)) if (s.accept(m)) return s.label;
    } else if (s.re.test(value)) {
      return s.label;
    }
  }
  return undefined;
}

/** True when `value` could be the secret itself (not empty, a placeholder, a reference…). */
function isLiteralSecret(raw: string): boolean {
  const v = raw.trim();
  if (v === '' || PLACEHOLDER.test(v) || FLAG.test(v) || SMALL_NUMBER.test(v) || DURATION.test(v)) return false;
  if (FILE_PATH.test(v) || INTERPOLATION.test(v) || SECRET_REFERENCE.test(v)) return false;
  // A URL is only a credential when it carries a password (a shape, checked separately).
  if (URL_START.test(v)) return false;
  return true;
}

const extraPatternCache = new WeakMap<readonly string[], UserPattern[]>();

/**
 * `params.credentialNamePatterns`, compiled once as RE2 (linear time: they come from the user's
 * config); ones that are not valid RE2 are skipped here, the config loader reports them.
 */
function extraPatterns(params: CheckParams): UserPattern[] {
  const list = Array.isArray(params.credentialNamePatterns) ? params.credentialNamePatterns : [];
  let out = extraPatternCache.get(list);
  if (!out) {
    out = [];
    for (const p of list) {
      if (typeof p !== 'string' || p === '') continue;
      const compiled = compileUserPattern(p);
      if (!('error' in compiled)) out.push(compiled);
    }
    extraPatternCache.set(list, out);
  }
  return out;
}

/** Whether a variable/key/setting name suggests its value is a credential. */
function isCredentialName(name: string, params: CheckParams): boolean {
  if (extraPatterns(params).some((re) => re.test(name))) return true;
  if (!CREDENTIAL_NAME.test(name)) return false;
  return !ABOUT_SUFFIX.test(name) && !ABOUT_SUFFIX_CAMEL.test(name);
}

/** Why a named literal value looks like a credential, or undefined. */
function credentialReason(name: string, value: string, params: CheckParams): string | undefined {
  const shape = secretShape(value);
  if (shape) return `holds what looks like ${shape}`;
  if (isCredentialName(name, params) && isLiteralSecret(value)) return 'holds a literal value that looks like a credential';
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Scanning whole configuration files held in a ConfigMap value

/** `key: value`, `key = value`, `"key": "value",`, `export KEY=value`, `--key=value`. */
const SETTING_LINE = /^\s*(?:export\s+|-{1,2})?["']?([A-Za-z0-9_.[\]-]{1,200})["']?\s*[:=]\s*(.*)$/;
/** `<password>value</password>` */
const XML_SETTING = /<([A-Za-z0-9_.:-]{1,100})>([^<]{1,4096})<\/\1>/g;
const COMMENT_LINE = /^\s*(?:#|;|\/\/|<!--)/;

/** The value part of a setting line, without quotes, trailing comma or comment. */
function settingValue(rest: string): string {
  let v = rest.trim();
  const q = v[0];
  if (q === '"' || q === "'") {
    const end = v.indexOf(q, 1);
    return end === -1 ? v.slice(1) : v.slice(1, end);
  }
  v = v.replace(/\s+#.*$/, '').replace(/,$/, '').trim();
  // YAML block scalars and nested structures: the value is not on this line.
  if (/^[|>][+-]?\d*$/.test(v) || v === '{' || v === '[') return '';
  return v;
}

interface FileHit {
  setting: string;
  /** 1-based line inside the value. */
  line: number;
}

/** Settings in a config file whose name suggests a credential and whose value is a literal. */
function credentialSettings(text: string, params: CheckParams): FileHit[] {
  const hits: FileHit[] = [];
  // A setting is reported only under a credential-like name, which then appears somewhere in
  // the text: most files have none, and one search spares looking at each line. (Patterns
  // from the config may be anchored to a whole name, so with them every line is looked at.)
  if (extraPatterns(params).length === 0 && !CREDENTIAL_NAME.test(text)) return hits;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.length > 8192 || COMMENT_LINE.test(line)) continue;
    const m = SETTING_LINE.exec(line);
    if (m && isCredentialName(m[1], params) && isLiteralSecret(settingValue(m[2]))) {
      hits.push({ setting: m[1], line: i + 1 });
      continue;
    }
    for (const x of line.matchAll(XML_SETTING)) {
      if (!isCredentialName(x[1], params) || !isLiteralSecret(x[2])) continue;
      hits.push({ setting: x[1], line: i + 1 });
      break;
    }
  }
  return hits;
}

// ---------------------------------------------------------------------------------------------

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

const envFromSecret = defineCheck({
  id: 'secrets/env-from-secret',
  title: 'Secret exposed through environment variables',
  severity: 'medium',
  defaultOn: true,
  stride: ['I'],
  kinds: 'workload',
  areas: Area.secretEnv,
  description:
    'Environment variables leak more easily than files: they are inherited by every child process, printed by crash ' +
    'handlers and debug endpoints, visible in `/proc/<pid>/environ` and often logged. A Secret mounted as a file can ' +
    'also be rotated without restarting the pod, while env vars are fixed at container start.',
  remediation: 'Mount the Secret as a read-only volume and have the application read the file.',
  example: `containers:
- name: app
  volumeMounts:
  - name: db
    mountPath: /run/secrets/db
    readOnly: true
volumes:
- name: db
  secret:
    secretName: db-credentials`,
  refs: {
    cis: ['5.4.1'],
    kubesec: ['SecretsAsEnvironmentVariables'],
    kubescape: ['C-0207'],
    kubeLinter: ['read-secret-from-env-var'],
    links: ['https://kubernetes.io/docs/concepts/security/secrets-good-practices/'],
  },
  run(ctx) {
    for (const c of ctx.containers) {
      const env = asArray(c.container.env);
      for (let i = 0; i < env.length; i++) {
        const e = env[i];
        const ref = envSecretKeyRef(e);
        if (!ref || !isObj(e)) continue;
        const from = str(ref.name) ? `Secret "${ref.name}"` : 'a Secret';
        const key = str(ref.key) ? ` key "${ref.key}"` : '';
        ctx.report(
          [...c.path, 'env', i, 'valueFrom', 'secretKeyRef'],
          `env var "${str(e.name) ?? '?'}" of container "${c.name}" is read from ${from}${key}; mount the Secret as a file instead`,
        );
      }
      const envFrom = asArray(c.container.envFrom);
      for (let i = 0; i < envFrom.length; i++) {
        const ref = envFromSecretRef(envFrom[i]);
        if (!ref) continue;
        const from = str(ref.name) ? `Secret "${ref.name}"` : 'a Secret';
        ctx.report([...c.path, 'envFrom', i, 'secretRef'], `container "${c.name}" imports every key of ${from} as env vars (envFrom); mount the Secret as a file instead`);
      }
    }
  },
});

const credentialInEnv = defineCheck({
  id: 'secrets/credential-in-env',
  title: 'Credential written literally in an env var',
  severity: 'high',
  defaultOn: true,
  stride: ['I'],
  kinds: 'workload',
  description:
    'A password, token or key written into the manifest is readable by everyone with access to the repository, the CI ' +
    'logs, the rendered Helm release and every `get` on the workload — none of which RBAC on Secrets protects. The check ' +
    'flags literal `env[].value`s whose variable name suggests a credential (PASSWORD, TOKEN, API_KEY, CLIENT_SECRET…, ' +
    'plus `params.credentialNamePatterns`) and values of any name that have the shape of a well-known secret: PEM private ' +
    'keys, AWS access key ids, GitHub and Slack tokens, JWTs, GCP service account keys and URLs with an embedded password. ' +
    'Empty values, `$(VAR)` references, placeholders (`<changeit>`, `xxx`, `REPLACE_ME`), file paths, flags, small numbers ' +
    'and names describing a credential rather than holding it (`PASSWORD_FILE`, `TOKEN_URL`, `SECRET_NAME`) are not flagged. ' +
    'Values are never shown in findings.',
  remediation: 'Move the value into a Secret (created outside source control) and mount it as a file; rotate the exposed credential.',
  example: `containers:
- name: app
  env:
  - name: DB_PASSWORD_FILE
    value: /run/secrets/db/password
  volumeMounts:
  - name: db
    mountPath: /run/secrets/db
    readOnly: true`,
  refs: {
    polaris: ['sensitiveContainerEnvVar'],
    kubescape: ['C-0012'],
    kubeLinter: ['env-var-secret'],
    links: ['https://kubernetes.io/docs/concepts/configuration/secret/'],
  },
  rationale:
    'Name-based matching alone is the main source of false positives in other tools (TOKEN_URL, SECRET_NAME, ' +
    'PASSWORD_FILE=/run/secrets/…), so names describing a credential and values that cannot be one are skipped; ' +
    'value shapes (private keys, cloud and SaaS tokens, URLs with passwords) are matched whatever the name. Weak ' +
    'defaults such as "changeme" are still reported: they are real passwords when deployed.',
  run(ctx) {
    for (const c of ctx.containers) {
      const env = asArray(c.container.env);
      for (let i = 0; i < env.length; i++) {
        const e = env[i];
        if (!isObj(e) || typeof e.value !== 'string' || e.value === '') continue;
        const name = typeof e.name === 'string' ? e.name : '';
        const reason = credentialReason(name, e.value, ctx.params);
        if (reason) ctx.report([...c.path, 'env', i, 'value'], `env var "${name || '?'}" of container "${c.name}" ${reason} (value redacted)`);
      }
    }
  },
});

const credentialInConfigMap = defineCheck({
  id: 'secrets/credential-in-configmap',
  title: 'Credential stored in a ConfigMap',
  severity: 'medium',
  defaultOn: true,
  stride: ['I'],
  kinds: ['ConfigMap'],
  description:
    'ConfigMaps are not meant for secrets: they are readable by far more roles (`view` includes them), are not encrypted ' +
    'at rest by the usual EncryptionConfiguration and end up in logs and dashboards. The check applies the env-var ' +
    'heuristics to each `data` key and value, and scans values that are whole configuration files (properties, ' +
    '.env, YAML, JSON, XML) for settings such as `password: …` or `PASSWORD=…` with a literal value. ' +
    '`${…}`/`$(…)` interpolations, placeholders and file paths are skipped. Values are never shown in findings.',
  remediation: 'Move the credential into a Secret (created outside source control) and reference it from the configuration, e.g. by file path.',
  example: `apiVersion: v1
kind: ConfigMap
metadata:
  name: app-config
data:
  application.properties: |
    spring.datasource.url=jdbc:postgresql://db:5432/app
    spring.datasource.password=\${DB_PASSWORD}`,
  refs: {
    polaris: ['sensitiveConfigmapContent'],
    trivy: ['KSV-0109', 'KSV-01010'],
    kubescape: ['C-0012'],
  },
  run(ctx) {
    if (apiGroupOf(ctx.object.apiVersion) !== '') return;
    const data = ctx.object.data;
    if (!isObj(data)) return;
    for (const [key, raw] of Object.entries(data)) {
      if (typeof raw !== 'string' && typeof raw !== 'number') continue;
      const value = String(raw);
      const path: JsonPath = ['data', key];
      const shape = secretShape(value);
      if (shape) {
        ctx.report(path, `ConfigMap key "${key}" holds what looks like ${shape} (value redacted)`);
      } else if (!value.includes('\n')) {
        if (isCredentialName(key, ctx.params) && isLiteralSecret(value)) {
          ctx.report(path, `ConfigMap key "${key}" holds a literal value that looks like a credential (value redacted)`);
        }
      } else {
        const hits = credentialSettings(value, ctx.params);
        if (hits.length === 0) continue;
        const more = hits.length > 1 ? ` and ${hits.length - 1} more` : '';
        ctx.report(path, `ConfigMap key "${key}" sets "${hits[0].setting}" to a literal credential on line ${hits[0].line} of the file${more} (value redacted)`);
      }
    }
  },
});

/** Kinds whose controllers produce Secrets from encrypted or external sources. */
const SECRET_GENERATORS = new Set(['SealedSecret', 'ExternalSecret', 'PushSecret', 'VaultStaticSecret', 'VaultDynamicSecret', 'SecretProviderClass']);

const secretManifest = defineCheck({
  id: 'secrets/secret-manifest',
  title: 'Secret committed in a manifest',
  severity: 'medium',
  defaultOn: true,
  stride: ['I'],
  kinds: ['Secret'],
  description:
    'A Secret manifest with `data` or `stringData` puts the credential in source control (base64 is an encoding, not ' +
    'encryption), in CI logs and in every copy of the repository. Keep only encrypted or referenced secrets in Git: ' +
    'SealedSecrets, External Secrets Operator, the Secrets Store CSI driver or SOPS-encrypted files. Secrets of type ' +
    '`kubernetes.io/service-account-token` are legacy, non-expiring ServiceAccount tokens; pods get short-lived, ' +
    'audience-bound tokens from the TokenRequest API instead.',
  remediation: 'Replace the Secret by a SealedSecret/ExternalSecret (or SOPS-encrypt it), rotate the exposed values, and use projected ServiceAccount tokens instead of token Secrets.',
  example: `apiVersion: external-secrets.io/v1
kind: ExternalSecret
metadata:
  name: db-credentials
spec:
  secretStoreRef:
    name: vault
    kind: ClusterSecretStore
  target:
    name: db-credentials
  data:
  - secretKey: password
    remoteRef:
      key: apps/db
      property: password`,
  refs: {
    cis: ['5.4.2'],
    links: [
      'https://kubernetes.io/docs/concepts/security/secrets-good-practices/',
      'https://kubernetes.io/docs/concepts/configuration/secret/#serviceaccount-token-secrets',
      'https://github.com/bitnami-labs/sealed-secrets',
      'https://external-secrets.io/',
      'https://github.com/getsops/sops',
    ],
  },
  rationale:
    'Secrets owned by a SealedSecret/ExternalSecret (cluster dumps) are generated, not committed, and are skipped; ' +
    'keys whose value is empty or an `${…}` interpolation (envsubst templates) hold nothing yet and are not counted.',
  run(ctx) {
    if (apiGroupOf(ctx.object.apiVersion) !== '') return;
    const meta = ctx.resource.metadata;
    const owners = asArray(meta.ownerReferences);
    if (owners.some((o) => isObj(o) && typeof o.kind === 'string' && SECRET_GENERATORS.has(o.kind))) return;
    const name = kindAndName(ctx);
    if (ctx.object.type === 'kubernetes.io/service-account-token') {
      const ann = annotationsOf(meta);
      const sa = str(ann['kubernetes.io/service-account.name']);
      ctx.report(
        ['type'],
        `${name} is a legacy long-lived ServiceAccount token (type kubernetes.io/service-account-token)${sa ? ` for ServiceAccount "${sa}"` : ''}; use short-lived tokens from the TokenRequest API (projected volumes, kubectl create token)`,
      );
    }
    for (const field of ['data', 'stringData'] as const) {
      const values = ctx.object[field];
      if (!isObj(values)) continue;
      const keys = Object.keys(values).filter((k) => {
        const v = values[k];
        if (typeof v === 'number' || typeof v === 'boolean') return true;
        // A config file with a few {{ template }} lines still commits whatever else it holds.
        return typeof v === 'string' && v.trim() !== '' && !WHOLE_INTERPOLATION.test(v.trim());
      });
      if (keys.length === 0) continue;
      ctx.report(
        [field],
        `${name} commits values for ${keys.length === 1 ? 'key' : 'keys'} ${quotedList(keys, 5)} in ${field} (values redacted); keep them out of source control with SealedSecrets, External Secrets or SOPS`,
      );
    }
  },
});

export const CHECKS: CheckDef[] = [envFromSecret, credentialInEnv, credentialInConfigMap, secretManifest];
