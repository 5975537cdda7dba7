/**
 * The k8saudit plugin's fields (`ka.*`), each with how it is extracted. Names, descriptions,
 * list and argument flags follow falcosecurity/plugins `plugins/k8saudit/pkg/k8saudit/fields.go`;
 * extraction follows `extract.go` (see falco.md §4.3 for the quirks kept here on purpose).
 * All fields are strings; non-string JSON values become compact JSON text.
 */
import type { Extracted, FieldDef } from '../types.js';
import { jsonGet, jsonPath, jsonText, pathTextReader, valuesRecursive } from './json-walk.js';

type Json = unknown;
export type Extractor = (event: Json) => Extracted;

/** What the extractor factory gets at bind time. */
export interface BindArgs {
  /** Key argument (`ka.uri.param[command]`). */
  key?: string;
  /** Index argument, -1 when absent. */
  index: number;
}

export interface KaFieldSpec {
  def: FieldDef;
  /** With an index, the field yields one value (the BoundField is not a list). */
  indexScalar?: boolean;
  /** make's extractors give undefined for a value that is not an audit event themselves. */
  checksAuditEvent?: boolean;
  make(args: BindArgs): Extractor;
}

const REQ = 'requestObject';
const SPEC = [REQ, 'spec'] as const;

// --- small extraction building blocks -------------------------------------------------------

/** A scalar at a fixed path (extractFromKeys on a non-list field); tests for an audit event itself. */
function scalarAt(...keys: string[]): KaFieldSpec['make'] & { checksAuditEvent: true } {
  return Object.assign(() => pathTextReader(keys, true), { checksAuditEvent: true as const });
}

/** A JSON array at a fixed path, one value per element (extractFromKeys on a list field). */
function arrayAt(...keys: string[]): KaFieldSpec['make'] {
  return () => (ev) => {
    const v = jsonPath(ev, keys);
    if (!Array.isArray(v) || v.length === 0) return undefined;
    return v.map(jsonText);
  };
}

/** Non-empty list → the list, or its first value when an index made the field scalar. */
function finish(values: string[], scalar: boolean): Extracted {
  if (values.length === 0) return undefined;
  return scalar ? values[0] : values;
}

/** getValuesRecursive + arrayAsStringsSkipNil. */
function recursiveStrings(ev: Json, index: number, keys: readonly string[]): string[] | undefined {
  const raw: unknown[] = [];
  if (!valuesRecursive(ev, index, keys, 0, raw)) return undefined;
  const out: string[] = [];
  for (const v of raw) if (v !== undefined) out.push(jsonText(v));
  return out;
}

function recursiveAt(keys: readonly string[]): KaFieldSpec['make'] {
  return ({ index }) => (ev) => {
    const values = recursiveStrings(ev, index, keys);
    return values === undefined ? undefined : finish(values, index >= 0);
  };
}

/** Images of a container list; like upstream, one container without `image` spoils the lot. */
function images(ev: Json, list: string, index: number): string[] | undefined {
  const raw: unknown[] = [];
  if (!valuesRecursive(ev, index, [...SPEC, list, 'image'], 0, raw)) return undefined;
  if (raw.some((v) => v === undefined)) return undefined;
  return raw.map(jsonText);
}

/** `strings.Split(strings.Split(img, ":")[0], "@")[0]`: so `host:5000/x:tag` gives `host`. */
export function imageRepository(image: string): string {
  return image.split(':')[0].split('@')[0];
}

/** Per container: its own securityContext value, else the pod's, else "0". */
function effectiveId(list: string, key: string): KaFieldSpec['make'] {
  return ({ index }) => (ev) => {
    const podValue = jsonPath(ev, [...SPEC, 'securityContext', key]);
    const fallback = podValue === undefined ? '0' : jsonText(podValue);
    const raw: unknown[] = [];
    if (!valuesRecursive(ev, index, [...SPEC, list, 'securityContext', key], 0, raw)) {
      // The list exists but the indexed/first container lacks a securityContext: still defaulted.
      const containers = jsonPath(ev, [...SPEC, list]);
      if (!Array.isArray(containers) || (index >= 0 && index >= containers.length)) return undefined;
      return finish(index >= 0 ? [fallback] : containers.map(() => fallback), index >= 0);
    }
    return finish(raw.map((v) => (v === undefined ? fallback : jsonText(v))), index >= 0);
  };
}

/** Each container's `command` (or `args`) array joined with spaces. */
function joinedArrays(list: string, key: string): KaFieldSpec['make'] {
  return ({ index }) => (ev) => {
    const raw: unknown[] = [];
    if (!valuesRecursive(ev, index, [...SPEC, list, key], 0, raw)) return undefined;
    const out: string[] = [];
    for (const v of raw) {
      if (v === undefined) continue;
      out.push(Array.isArray(v) ? v.map(jsonText).join(' ') : jsonText(v));
    }
    return finish(out, index >= 0);
  };
}

/** `ports[].hostPort`, else `ports[].containerPort`, over the containers (several per container). */
function hostPorts(list: string): KaFieldSpec['make'] {
  return ({ index }) => (ev) => {
    const raw: unknown[] = [];
    if (!valuesRecursive(ev, index, [...SPEC, list, 'ports'], 0, raw)) return undefined;
    const out: string[] = [];
    for (const ports of raw) {
      if (ports === undefined) continue;
      if (!Array.isArray(ports)) return undefined; // ErrExtractWrongType
      for (const port of ports) {
        const p = jsonGet(port, 'hostPort') ?? jsonGet(port, 'containerPort');
        if (p !== undefined) out.push(jsonText(p));
      }
    }
    return out.length === 0 ? undefined : out;
  };
}

/** extractRulesField: `requestObject.rules[].<key>[]`, flattened. */
function rulesField(key: string): KaFieldSpec['make'] {
  return ({ index }) => (ev) => {
    const raw: unknown[] = [];
    if (!valuesRecursive(ev, index, [REQ, 'rules', key], 0, raw)) return undefined;
    const out: string[] = [];
    for (const v of raw) if (Array.isArray(v)) for (const item of v) out.push(jsonText(item));
    return out.length === 0 ? undefined : out;
  };
}

/** Names of binding subjects of one kind (`[]` upstream when none, i.e. not extracted). */
function subjectNames(kind: string, withNamespace: boolean): KaFieldSpec['make'] {
  return () => (ev) => {
    const subjects = jsonPath(ev, [REQ, 'subjects']);
    if (!Array.isArray(subjects)) return undefined;
    const out: string[] = [];
    for (const s of subjects) {
      if (jsonGet(s, 'kind') !== kind) continue;
      const name = jsonGet(s, 'name');
      if (name === undefined) continue;
      out.push(withNamespace ? `${jsonText(jsonGet(s, 'namespace') ?? '')}:${jsonText(name)}` : jsonText(name));
    }
    return out.length === 0 ? undefined : out;
  };
}

function uriParam({ key }: BindArgs): Extractor {
  const name = key ?? '';
  return (ev) => {
    const uri = jsonGet(ev, 'requestURI');
    if (uri === undefined) return undefined;
    const text = jsonText(uri);
    const q = text.indexOf('?');
    if (q < 0) return undefined;
    const hash = text.indexOf('#', q);
    const value = new URLSearchParams(text.slice(q + 1, hash < 0 ? undefined : hash)).get(name);
    return value ?? undefined;
  };
}

function volumeHostpath({ key }: BindArgs): Extractor {
  const arg = key ?? '';
  const prefix = arg.endsWith('*') ? arg.slice(0, -1) : undefined;
  return (ev) => {
    const paths = recursiveStrings(ev, -1, [...SPEC, 'volumes', 'hostPath', 'path']);
    if (paths === undefined) return undefined;
    for (const p of paths) if (p === arg || (prefix !== undefined && p.startsWith(prefix))) return 'true';
    return 'false';
  };
}

function anyPrivileged(): Extractor {
  return (ev) => {
    const raw: unknown[] = [];
    if (!valuesRecursive(ev, -1, [...SPEC, 'containers', 'securityContext', 'privileged'], 0, raw)) return undefined;
    return raw.some((v) => v === true) ? 'true' : 'false';
  };
}

function volumeTypes({ index }: BindArgs): Extractor {
  return (ev) => {
    const raw: unknown[] = [];
    if (!valuesRecursive(ev, index, [...SPEC, 'volumes', ''], 0, raw)) return undefined;
    const out: string[] = [];
    for (const v of raw) {
      if (v === null || typeof v !== 'object' || Array.isArray(v)) continue;
      for (const k of Object.keys(v)) if (k !== 'name') out.push(k);
    }
    return out.length === 0 ? undefined : out;
  };
}

function targetPodName(): Extractor {
  return (ev) => {
    if (jsonPath(ev, ['objectRef', 'resource']) !== 'pods') return undefined;
    const sub = jsonPath(ev, ['objectRef', 'subresource']);
    if (sub !== undefined && sub !== '') return undefined;
    const name = jsonPath(ev, ['responseObject', 'metadata', 'name']);
    return name === undefined ? undefined : jsonText(name);
  };
}

// --- the table ------------------------------------------------------------------------------

function field(name: string, desc: string, make: KaFieldSpec['make'] & { checksAuditEvent?: boolean }, opts: Partial<FieldDef> & { indexScalar?: boolean } = {}): KaFieldSpec {
  const { indexScalar, ...defOpts } = opts;
  return { def: { name, type: 'string', desc, ...defOpts }, indexScalar, checksAuditEvent: make.checksAuditEvent === true, make };
}
const LIST = { list: true } as const;
const INDEXED = { list: true, arg: 'optional', indexScalar: true } as const;
const INDEXED_MULTI = { list: true, arg: 'optional' } as const;
const KEYED = { arg: 'required' } as const;

const CONTAINER_LISTS = [
  ['containers', "the container's", 'containers'],
  ['initContainers', 'the init containers', 'init containers'],
  ['ephemeralContainers', 'the ephemeral containers', 'ephemeral containers'],
] as const;

function containerFields(): KaFieldSpec[] {
  const out: KaFieldSpec[] = [];
  for (const [list, whose, plural] of CONTAINER_LISTS) {
    const p = `ka.req.pod.${list}`;
    const sc = (key: string) => recursiveAt([...SPEC, list, 'securityContext', key]);
    out.push(
      field(`${p}.name`, `When the request object refers to a pod, ${whose} names.`, recursiveAt([...SPEC, list, 'name']), INDEXED),
      field(`${p}.image`, `When the request object refers to a pod, ${whose} images.`, ({ index }) => (ev) => {
        const v = images(ev, list, index);
        return v === undefined ? undefined : finish(v, index >= 0);
      }, INDEXED),
      field(`${p}.image.repository`, `The same as ${p}.image, but only the repository part (e.g. falcosecurity/falco).`, ({ index }) => (ev) => {
        const v = images(ev, list, index);
        return v === undefined ? undefined : finish(v.map(imageRepository), index >= 0);
      }, INDEXED),
      field(`${p}.command`, `When the request object refers to a pod, ${whose} commands.`, joinedArrays(list, 'command'), INDEXED),
      field(`${p}.args`, `When the request object refers to a pod, ${whose} args.`, joinedArrays(list, 'args'), INDEXED),
      field(`${p}.privileged`, `When the request object refers to a pod, the value of the privileged flag for all ${plural}.`, sc('privileged'), INDEXED),
      field(`${p}.allow_privilege_escalation`, `When the request object refers to a pod, the value of the allowPrivilegeEscalation flag for all ${plural}.`, sc('allowPrivilegeEscalation'), INDEXED),
      field(`${p}.read_only_fs`, `When the request object refers to a pod, the value of the readOnlyRootFilesystem flag for all ${plural}.`, sc('readOnlyRootFilesystem'), INDEXED),
      field(`${p}.run_as_user`, `When the request object refers to a pod, the runAsUser uid for all ${plural}.`, sc('runAsUser'), INDEXED),
      field(`${p}.eff_run_as_user`, `When the request object refers to a pod, the initial uid that will be used for all ${plural}. This combines information from both the pod and container security contexts and uses 0 if no uid is specified.`, effectiveId(list, 'runAsUser'), INDEXED),
      field(`${p}.run_as_group`, `When the request object refers to a pod, the runAsGroup gid for all ${plural}.`, sc('runAsGroup'), INDEXED),
      field(`${p}.eff_run_as_group`, `When the request object refers to a pod, the initial gid that will be used for all ${plural}. This combines information from both the pod and container security contexts and uses 0 if no gid is specified.`, effectiveId(list, 'runAsGroup'), INDEXED),
      field(`${p}.proc_mount`, `When the request object refers to a pod, the procMount types for all ${plural}.`, sc('procMount'), INDEXED),
      field(`${p}.add_capabilities`, `When the request object refers to a pod, all capabilities to add when running ${plural} (one JSON array per container).`, recursiveAt([...SPEC, list, 'securityContext', 'capabilities', 'add']), INDEXED),
    );
    if (list !== 'ephemeralContainers') {
      out.push(field(`${p}.host_port`, `When the request object refers to a pod, all ${plural} hostPort values (containerPort when no hostPort).`, hostPorts(list), INDEXED_MULTI));
    }
  }
  return out;
}

const ANN = 'annotations';

export const KA_FIELDS: readonly KaFieldSpec[] = [
  field('ka.auditid', 'The unique id of the audit event', scalarAt('auditID')),
  field('ka.stage', 'Stage of the request (e.g. RequestReceived, ResponseComplete, etc.)', scalarAt('stage')),
  field('ka.auth.decision', 'The authorization decision', scalarAt(ANN, 'authorization.k8s.io/decision')),
  field('ka.auth.reason', 'The authorization reason', scalarAt(ANN, 'authorization.k8s.io/reason')),
  field('ka.auth.openshift.decision', 'The authentication decision of the openshift apiserver extension. Only available on openshift clusters', scalarAt(ANN, 'authentication.openshift.io/decision')),
  field('ka.validations.admission.policy.failure', 'The validation failure reason from a Validation Admission Policy', scalarAt(ANN, 'validation.policy.admission.k8s.io/validation_failure')),
  field('ka.security.pod.violations', 'The violation reason for pod security policy', scalarAt(ANN, 'pod-security.kubernetes.io/audit-violations')),
  field('ka.auth.openshift.username', 'The user name performing the openshift authentication operation. Only available on openshift clusters', scalarAt(ANN, 'authentication.openshift.io/username')),
  field('ka.user.name', 'The user name performing the request', scalarAt('user', 'username')),
  field('ka.user.groups', 'The groups to which the user belongs', arrayAt('user', 'groups'), LIST),
  field('ka.impuser.name', 'The impersonated user name', scalarAt('impersonatedUser', 'username')),
  field('ka.verb', 'The action being performed', scalarAt('verb')),
  field('ka.uri', 'The request URI as sent from client to server', scalarAt('requestURI')),
  field('ka.uri.param', 'The value of a given query parameter in the uri (e.g. when uri=/foo?key=val, ka.uri.param[key] is val).', uriParam, KEYED),
  field('ka.target.name', 'The target object name', scalarAt('objectRef', 'name')),
  field('ka.target.namespace', 'The target object namespace', scalarAt('objectRef', 'namespace')),
  field('ka.target.resource', 'The target object resource', scalarAt('objectRef', 'resource')),
  field('ka.target.subresource', 'The target object subresource', scalarAt('objectRef', 'subresource')),
  field('ka.target.pod.name', 'The target pod name', targetPodName),
  field('ka.req.binding.subjects', 'When the request object refers to a cluster role binding, the subject (e.g. account/users) being linked by the binding', arrayAt(REQ, 'subjects'), LIST),
  field('ka.req.binding.subjects.user_names', 'When the request object refers to a cluster role binding, the subject user names being linked by the binding', subjectNames('User', false), LIST),
  field('ka.req.binding.subjects.serviceaccount_names', 'When the request object refers to a cluster role binding, the subject service account names being linked by the binding', subjectNames('ServiceAccount', false), LIST),
  field('ka.req.binding.subjects.serviceaccount_ns_names', 'When the request object refers to a cluster role binding, the subject serviceaccount namespaced names being linked by the binding, e.g. a list containing: mynamespace:myserviceaccount', subjectNames('ServiceAccount', true), LIST),
  field('ka.req.binding.subjects.group_names', 'When the request object refers to a cluster role binding, the subject group names being linked by the binding', subjectNames('Group', false), LIST),
  field('ka.req.binding.role', 'When the request object refers to a cluster role binding, the role being linked by the binding', scalarAt(REQ, 'roleRef', 'name')),
  field('ka.req.binding.subject.has_name', 'Deprecated, always returns "true" (documented as "N/A"). Only provided for backwards compatibility', () => () => 'true', KEYED),
  field('ka.req.configmap.name', 'If the request object refers to a configmap, the configmap name', scalarAt('objectRef', 'name')),
  field('ka.req.configmap.obj', 'If the request object refers to a configmap, the entire configmap object', scalarAt(REQ, 'data')),
  ...containerFields(),
  field('ka.req.container.image', 'Deprecated by ka.req.pod.containers.image. Returns the image of the first container only', () => (ev) => images(ev, 'containers', 0)?.[0]),
  field('ka.req.container.image.repository', 'Deprecated by ka.req.pod.containers.image.repository. Returns the repository of the first container only', () => (ev) => {
    const first = images(ev, 'containers', 0)?.[0];
    return first === undefined ? undefined : imageRepository(first);
  }),
  field('ka.req.pod.host_ipc', 'When the request object refers to a pod, the value of the hostIPC flag.', scalarAt(...SPEC, 'hostIPC')),
  field('ka.req.pod.host_network', 'When the request object refers to a pod, the value of the hostNetwork flag.', scalarAt(...SPEC, 'hostNetwork')),
  field('ka.req.container.host_network', 'Deprecated alias for ka.req.pod.host_network', scalarAt(...SPEC, 'hostNetwork')),
  field('ka.req.pod.host_pid', 'When the request object refers to a pod, the value of the hostPID flag.', scalarAt(...SPEC, 'hostPID')),
  field('ka.req.container.privileged', 'Deprecated by ka.req.pod.containers.privileged. Returns true if any container has privileged=true', anyPrivileged),
  field('ka.req.pod.run_as_user', 'When the request object refers to a pod, the runAsUser uid specified in the security context for the pod. See ....containers.run_as_user for the runAsUser for individual containers', scalarAt(...SPEC, 'securityContext', 'runAsUser')),
  field('ka.req.pod.run_as_group', 'When the request object refers to a pod, the runAsGroup gid specified in the security context for the pod. See ....containers.run_as_group for the runAsGroup for individual containers', scalarAt(...SPEC, 'securityContext', 'runAsGroup')),
  field('ka.req.pod.fs_group', 'When the request object refers to a pod, the fsGroup gid specified by the security context.', scalarAt(...SPEC, 'securityContext', 'fsGroup')),
  field('ka.req.pod.supplemental_groups', 'When the request object refers to a pod, the supplementalGroup gids specified by the security context.', arrayAt(...SPEC, 'securityContext', 'supplementalGroups'), LIST),
  field('ka.req.role.rules', 'When the request object refers to a role/cluster role, the rules associated with the role', arrayAt(REQ, 'rules'), LIST),
  field('ka.req.role.rules.apiGroups', "When the request object refers to a role/cluster role, the api groups associated with the role's rules", rulesField('apiGroups'), INDEXED_MULTI),
  field('ka.req.role.rules.nonResourceURLs', "When the request object refers to a role/cluster role, the non resource urls associated with the role's rules", rulesField('nonResourceURLs'), INDEXED_MULTI),
  field('ka.req.role.rules.verbs', "When the request object refers to a role/cluster role, the verbs associated with the role's rules", rulesField('verbs'), INDEXED_MULTI),
  field('ka.req.role.rules.resources', "When the request object refers to a role/cluster role, the resources associated with the role's rules", rulesField('resources'), INDEXED_MULTI),
  field('ka.req.service.type', 'When the request object refers to a service, the service type', scalarAt(...SPEC, 'type')),
  // Upstream reads `spec.ports` with getValuesRecursive, which does not expand a final array:
  // the value is the whole ports array as one JSON text, and an index changes nothing.
  field('ka.req.service.ports', "When the request object refers to a service, the service's ports", ({ index }) => {
    const inner = recursiveAt([...SPEC, 'ports'])({ index: -1 });
    return index >= 0 ? (ev) => {
      const v = inner(ev);
      return Array.isArray(v) ? (v[0] as string) : v;
    } : inner;
  }, INDEXED),
  field('ka.req.pod.volumes.hostpath', 'When the request object refers to a pod, all hostPath paths specified for all volumes', recursiveAt([...SPEC, 'volumes', 'hostPath', 'path']), INDEXED),
  field('ka.req.volume.hostpath', 'Deprecated by ka.req.pod.volumes.hostpath. Return true if the provided (host) path prefix is used by any volume', volumeHostpath, KEYED),
  field('ka.req.pod.volumes.flexvolume_driver', 'When the request object refers to a pod, all flexvolume drivers specified for all volumes', recursiveAt([...SPEC, 'volumes', 'flexVolume', 'driver']), INDEXED),
  field('ka.req.pod.volumes.volume_type', 'When the request object refers to a pod, all volume types for all volumes', volumeTypes, INDEXED_MULTI),
  field('ka.resp.name', 'The response object name', scalarAt('responseObject', 'metadata', 'name')),
  field('ka.response.code', 'The response code', scalarAt('responseStatus', 'code')),
  field('ka.response.reason', 'The response reason (usually present only for failures)', scalarAt('responseStatus', 'reason')),
  field('ka.useragent', 'The useragent of the client who made the request to the apiserver', scalarAt('userAgent')),
  // Bug-compatible: upstream documents top-level `sourceIPs` but reads `requestObject.rules[].sourceIPs`.
  field('ka.sourceips', 'The IP addresses of the client who made the request to the apiserver', rulesField('sourceIPs'), INDEXED_MULTI),
  field('ka.cluster.name', 'The name of the k8s cluster', scalarAt(ANN, 'cluster_name')),
];
