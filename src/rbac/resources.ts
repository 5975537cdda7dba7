/**
 * The built-in API resources Palisade knows without a cluster (what `kubectl api-resources`
 * lists on a current cluster, plus the virtual resources the API server authorizes:
 * users/groups/serviceaccounts for impersonation, userextras/uids, signers). Used to read
 * `kubectl auth can-i`-style resource arguments (`po`, `deploy`, `deployments.apps`) and to
 * know which resources are cluster-scoped (a RoleBinding can never grant those).
 */

export interface ApiResource {
  readonly group: string;
  readonly plural: string;
  readonly singular: string;
  readonly shortNames: readonly string[];
  readonly namespaced: boolean;
}

type Row = [plural: string, singular: string, shortNames: string[], namespaced: boolean];

const TABLE: Record<string, Row[]> = {
  '': [
    ['bindings', 'binding', [], true],
    ['componentstatuses', 'componentstatus', ['cs'], false],
    ['configmaps', 'configmap', ['cm'], true],
    ['endpoints', 'endpoints', ['ep'], true],
    ['events', 'event', ['ev'], true],
    ['limitranges', 'limitrange', ['limits'], true],
    ['namespaces', 'namespace', ['ns'], false],
    ['nodes', 'node', ['no'], false],
    ['persistentvolumeclaims', 'persistentvolumeclaim', ['pvc'], true],
    ['persistentvolumes', 'persistentvolume', ['pv'], false],
    ['pods', 'pod', ['po'], true],
    ['podtemplates', 'podtemplate', [], true],
    ['replicationcontrollers', 'replicationcontroller', ['rc'], true],
    ['resourcequotas', 'resourcequota', ['quota'], true],
    ['secrets', 'secret', [], true],
    ['serviceaccounts', 'serviceaccount', ['sa'], true],
    ['services', 'service', ['svc'], true],
    // Authorized but not served: impersonation targets.
    ['users', 'user', [], false],
    ['groups', 'group', [], false],
  ],
  'admissionregistration.k8s.io': [
    ['mutatingadmissionpolicies', 'mutatingadmissionpolicy', [], false],
    ['mutatingadmissionpolicybindings', 'mutatingadmissionpolicybinding', [], false],
    ['mutatingwebhookconfigurations', 'mutatingwebhookconfiguration', [], false],
    ['validatingadmissionpolicies', 'validatingadmissionpolicy', [], false],
    ['validatingadmissionpolicybindings', 'validatingadmissionpolicybinding', [], false],
    ['validatingwebhookconfigurations', 'validatingwebhookconfiguration', [], false],
  ],
  'apiextensions.k8s.io': [['customresourcedefinitions', 'customresourcedefinition', ['crd', 'crds'], false]],
  'apiregistration.k8s.io': [['apiservices', 'apiservice', [], false]],
  apps: [
    ['controllerrevisions', 'controllerrevision', [], true],
    ['daemonsets', 'daemonset', ['ds'], true],
    ['deployments', 'deployment', ['deploy'], true],
    ['replicasets', 'replicaset', ['rs'], true],
    ['statefulsets', 'statefulset', ['sts'], true],
  ],
  'authentication.k8s.io': [
    ['selfsubjectreviews', 'selfsubjectreview', [], false],
    ['tokenreviews', 'tokenreview', [], false],
    ['userextras', 'userextra', [], false],
    ['uids', 'uid', [], false],
  ],
  'authorization.k8s.io': [
    ['localsubjectaccessreviews', 'localsubjectaccessreview', [], true],
    ['selfsubjectaccessreviews', 'selfsubjectaccessreview', [], false],
    ['selfsubjectrulesreviews', 'selfsubjectrulesreview', [], false],
    ['subjectaccessreviews', 'subjectaccessreview', [], false],
  ],
  autoscaling: [['horizontalpodautoscalers', 'horizontalpodautoscaler', ['hpa'], true]],
  batch: [
    ['cronjobs', 'cronjob', ['cj'], true],
    ['jobs', 'job', [], true],
  ],
  'certificates.k8s.io': [
    ['certificatesigningrequests', 'certificatesigningrequest', ['csr'], false],
    ['clustertrustbundles', 'clustertrustbundle', [], false],
    ['signers', 'signer', [], false],
  ],
  'coordination.k8s.io': [
    ['leases', 'lease', [], true],
    ['leasecandidates', 'leasecandidate', [], true],
  ],
  'discovery.k8s.io': [['endpointslices', 'endpointslice', [], true]],
  'events.k8s.io': [['events', 'event', ['ev'], true]],
  'flowcontrol.apiserver.k8s.io': [
    ['flowschemas', 'flowschema', [], false],
    ['prioritylevelconfigurations', 'prioritylevelconfiguration', [], false],
  ],
  'networking.k8s.io': [
    ['ingressclasses', 'ingressclass', [], false],
    ['ingresses', 'ingress', ['ing'], true],
    ['ipaddresses', 'ipaddress', ['ip'], false],
    ['networkpolicies', 'networkpolicy', ['netpol'], true],
    ['servicecidrs', 'servicecidr', [], false],
  ],
  'node.k8s.io': [['runtimeclasses', 'runtimeclass', [], false]],
  policy: [['poddisruptionbudgets', 'poddisruptionbudget', ['pdb'], true]],
  'rbac.authorization.k8s.io': [
    ['clusterrolebindings', 'clusterrolebinding', [], false],
    ['clusterroles', 'clusterrole', [], false],
    ['rolebindings', 'rolebinding', [], true],
    ['roles', 'role', [], true],
  ],
  'resource.k8s.io': [
    ['deviceclasses', 'deviceclass', [], false],
    ['resourceclaims', 'resourceclaim', [], true],
    ['resourceclaimtemplates', 'resourceclaimtemplate', [], true],
    ['resourceslices', 'resourceslice', [], false],
  ],
  'scheduling.k8s.io': [['priorityclasses', 'priorityclass', ['pc'], false]],
  'storage.k8s.io': [
    ['csidrivers', 'csidriver', [], false],
    ['csinodes', 'csinode', [], false],
    ['csistoragecapacities', 'csistoragecapacity', [], true],
    ['storageclasses', 'storageclass', ['sc'], false],
    ['volumeattachments', 'volumeattachment', [], false],
    ['volumeattributesclasses', 'volumeattributesclass', ['vac'], false],
  ],
};

/** The groups kubectl prefers when a bare name exists in several (core `events` over events.k8s.io). */
export const BUILTIN_RESOURCES: readonly ApiResource[] = Object.entries(TABLE).flatMap(([group, rows]) =>
  rows.map(([plural, singular, shortNames, namespaced]) => ({ group, plural, singular, shortNames, namespaced })));

/** A lookup of API resources: the built-ins plus CustomResourceDefinitions from the input. */
export class ResourceCatalog {
  private readonly byName = new Map<string, ApiResource[]>();
  private readonly byGroupPlural = new Map<string, ApiResource>();

  constructor(extra: readonly ApiResource[] = []) {
    for (const r of [...BUILTIN_RESOURCES, ...extra]) this.add(r);
  }

  private add(r: ApiResource): void {
    this.byGroupPlural.set(`${r.group}\u0000${r.plural}`, r);
    for (const n of new Set([r.plural, r.singular, ...r.shortNames])) {
      if (n === '') continue;
      const list = this.byName.get(n) ?? [];
      list.push(r);
      this.byName.set(n, list);
    }
  }

  /** The resource a kubectl-style name means, optionally within a group; plural names win over short names. */
  find(name: string, group?: string): ApiResource | undefined {
    const lower = name.toLowerCase();
    const list = this.byName.get(lower);
    if (!list) return undefined;
    const candidates = group === undefined ? list : list.filter((r) => r.group === group);
    return candidates.find((r) => r.plural === lower) ?? candidates.find((r) => r.singular === lower) ?? candidates[0];
  }

  /**
   * Whether a resource is namespaced. Unknown resources count as namespaced (a custom resource
   * Palisade has no CRD for): the cautious answer, since it lets RoleBinding grants count.
   * `namespaces` is special: a request for namespace X carries namespace X (requestinfo.go).
   */
  isNamespaced(group: string, plural: string): boolean {
    if (group === '*' || plural === '*') return true;
    const r = this.byGroupPlural.get(`${group}\u0000${plural}`);
    return r === undefined || r.namespaced || (group === '' && plural === 'namespaces');
  }

  /** True only for resources known to be cluster-scoped. */
  isClusterScoped(group: string, plural: string): boolean {
    return !this.isNamespaced(group, plural);
  }
}

export interface ParsedResourceArg {
  group: string;
  resource: string;
  subresource: string;
  /** Set when the name is not a known resource (kubectl warns the same way). */
  warning?: string;
}

const VERSION = /^v\d+((alpha|beta)\d+)?$/;

/**
 * A kubectl `auth can-i` resource argument: `pods`, `po`, `pods/log`, `deployments.apps`,
 * `deployments.v1.apps`, `*`. `group` (from --api-group) overrides the one in the name.
 * Unknown names are kept as written, in the core group unless one is given (kubectl does
 * the same after warning "the server doesn't have a resource type").
 */
export function parseResourceArg(arg: string, catalog: ResourceCatalog, group?: string): ParsedResourceArg {
  const slash = arg.indexOf('/');
  const head = slash === -1 ? arg : arg.slice(0, slash);
  const subresource = slash === -1 ? '' : arg.slice(slash + 1);
  if (head === '*') return { group: group ?? '', resource: '*', subresource };
  let name = head;
  let argGroup: string | undefined;
  const dot = head.indexOf('.');
  if (dot !== -1) {
    name = head.slice(0, dot);
    let rest = head.slice(dot + 1);
    // resource.version.group
    const dot2 = rest.indexOf('.');
    if (dot2 !== -1 && VERSION.test(rest.slice(0, dot2))) rest = rest.slice(dot2 + 1);
    argGroup = rest;
  }
  const wanted = group ?? argGroup;
  const found = catalog.find(name, wanted);
  if (found) return { group: found.group, resource: found.plural, subresource };
  const where = wanted !== undefined && wanted !== '' ? ` in group '${wanted}'` : '';
  return {
    group: wanted ?? '',
    resource: name,
    subresource,
    warning: `resource type '${name}'${where} is not a built-in resource nor a CustomResourceDefinition in the input; using it as written`,
  };
}
