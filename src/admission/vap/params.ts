/**
 * Which parameter objects a binding selects (k8s.io/apiserver/pkg/admission/plugin/policy/
 * generic CollectParams): none when the policy has no paramKind or the binding no paramRef
 * (then `params` is null); by name, or every object a label selector picks, in the paramRef's
 * namespace or the request's; nothing found → `parameterNotFoundAction` (Allow: the binding
 * does nothing; Deny: a configuration error, handled by the policy's failurePolicy).
 *
 * Without API discovery the scope of a paramKind is taken from `paramScopes`, else guessed:
 * namespaced when a parameter object of that kind has a namespace or the binding names one.
 * Namespaced parameter objects without a namespace are in `default`, as `kubectl apply` would
 * put them.
 */
import { labelsOf, selectorMatches } from '../../model/index.js';
import { isObj } from './validate.js';
import type { JsonObject, VapInput } from './types.js';

export type ParamsOutcome = { params: (JsonObject | null)[] } | { error: string };

function nsOf(o: JsonObject): string {
  return isObj(o.metadata) && typeof o.metadata.namespace === 'string' ? o.metadata.namespace : '';
}

function nameOf(o: JsonObject): string {
  return isObj(o.metadata) && typeof o.metadata.name === 'string' ? o.metadata.name : '';
}

export function paramKindKey(pk: { apiVersion: string; kind: string }): string {
  return `${pk.apiVersion}/${pk.kind}`;
}

export function collectParams(
  paramKind: { apiVersion: string; kind: string } | undefined,
  paramRef: unknown,
  requestNamespace: string,
  input: Pick<VapInput, 'params' | 'paramScopes'>,
): ParamsOutcome {
  if (paramKind === undefined || !isObj(paramRef)) return { params: [null] };
  const ofKind = (input.params ?? []).filter((p) => p.apiVersion === paramKind.apiVersion && p.kind === paramKind.kind);
  const refNs = typeof paramRef.namespace === 'string' ? paramRef.namespace : '';
  const declared = input.paramScopes?.[paramKindKey(paramKind)];
  const namespaced = declared !== undefined ? declared === 'Namespaced' : refNs !== '' || ofKind.some((p) => nsOf(p) !== '');
  let pool = ofKind;
  if (namespaced) {
    const ns = refNs !== '' ? refNs : requestNamespace;
    if (ns === '') return { error: 'cannot use namespaced paramRef in policy binding that matches cluster-scoped resources' };
    pool = ofKind.filter((p) => (nsOf(p) || 'default') === ns);
  } else if (refNs !== '') {
    return { error: 'paramRef.namespace must not be provided for a cluster-scoped `paramKind`' };
  }
  let params: JsonObject[] = [];
  const name = typeof paramRef.name === 'string' ? paramRef.name : '';
  if (name !== '') {
    if (paramRef.selector !== undefined && paramRef.selector !== null) return { error: 'paramRef.name and paramRef.selector are mutually exclusive' };
    params = pool.filter((p) => nameOf(p) === name).slice(0, 1);
  } else if (isObj(paramRef.selector)) {
    params = pool
      .filter((p) => selectorMatches(paramRef.selector, labelsOf(isObj(p.metadata) ? p.metadata.labels : undefined)))
      .sort((a, b) => (nsOf(a) + '/' + nameOf(a) < nsOf(b) + '/' + nameOf(b) ? -1 : 1));
  }
  if (params.length === 0 && paramRef.parameterNotFoundAction === 'Deny') {
    return { error: 'no params found for policy binding with `Deny` parameterNotFoundAction' };
  }
  return { params };
}
