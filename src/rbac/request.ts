/**
 * A question in `kubectl auth can-i` terms turned into the request attributes the API server
 * would authorize: `pods/log` and `--subresource`, `deployments.apps` and `--api-group`, names,
 * namespaces, and non-resource URLs (`/healthz`).
 */
import { parseResourceArg, type ResourceCatalog } from './resources.js';
import type { RequestAttributes } from './types.js';

export interface Question {
  verb: string;
  /** RESOURCE as kubectl takes it, or a path starting with `/`. */
  resource?: string;
  subresource?: string;
  apiGroup?: string;
  name?: string;
  namespace?: string;
  nonResourceURL?: string;
}

export interface BuiltRequest {
  request: RequestAttributes;
  warnings: string[];
}

/** A question that cannot be asked (reported as a usage error). */
export class QuestionError extends Error {}

export function buildRequest(q: Question, catalog: ResourceCatalog): BuiltRequest {
  const warnings: string[] = [];
  if (q.verb === '') throw new QuestionError('VERB is empty');
  const url = q.nonResourceURL ?? (q.resource?.startsWith('/') ? q.resource : undefined);
  if (url !== undefined) {
    if (q.nonResourceURL !== undefined && q.resource !== undefined) throw new QuestionError('give either RESOURCE or --non-resource-url, not both');
    if (!url.startsWith('/')) throw new QuestionError(`--non-resource-url "${url}" must start with /`);
    for (const [flag, v] of [['--subresource', q.subresource], ['--api-group', q.apiGroup], ['--name', q.name], ['--namespace', q.namespace]] as const) {
      if (v !== undefined) throw new QuestionError(`${flag} does not apply to a non-resource URL`);
    }
    return { request: { resourceRequest: false, verb: q.verb, path: url }, warnings };
  }
  if (q.resource === undefined || q.resource === '') throw new QuestionError('RESOURCE is missing (or give --non-resource-url PATH)');
  const parsed = parseResourceArg(q.resource, catalog, q.apiGroup);
  if (parsed.warning) warnings.push(parsed.warning);
  let subresource = parsed.subresource;
  if (q.subresource !== undefined) {
    if (subresource !== '' && subresource !== q.subresource) throw new QuestionError(`RESOURCE "${q.resource}" names subresource "${subresource}" and --subresource says "${q.subresource}"`);
    subresource = q.subresource;
  }
  const name = q.name ?? '';
  let namespace = q.namespace ?? '';
  if (parsed.group === '' && parsed.resource === 'namespaces' && name !== '') {
    // /api/v1/namespaces/NAME is a request in namespace NAME (requestinfo.go).
    if (namespace !== '' && namespace !== name) warnings.push(`a request for namespace ${name} is made in namespace ${name}, not ${namespace}`);
    namespace = name;
  } else if (namespace !== '' && catalog.isClusterScoped(parsed.group, parsed.resource)) {
    warnings.push(`${parsed.resource}${parsed.group ? '.' + parsed.group : ''} is cluster-scoped: its requests carry no namespace, so -n ${namespace} is ignored`);
    namespace = '';
  }
  return {
    request: { resourceRequest: true, verb: q.verb, namespace, apiGroup: parsed.group, resource: parsed.resource, subresource, name },
    warnings,
  };
}

/** `get pods/log "x" in namespace ns` — for messages. */
export function requestText(req: RequestAttributes): string {
  if (!req.resourceRequest) return `${req.verb} ${req.path}`;
  const res = `${req.resource}${req.apiGroup !== '' ? '.' + req.apiGroup : ''}${req.subresource !== '' ? '/' + req.subresource : ''}`;
  const name = req.name !== '' ? ` "${req.name}"` : '';
  return `${req.verb} ${res}${name} ${req.namespace !== '' ? `in namespace ${req.namespace}` : 'cluster-wide'}`;
}
