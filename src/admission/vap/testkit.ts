/** Builders for tests: small policies, bindings and requests written inline. */
import type { AdmissionRequestLike, JsonObject } from './types.js';

export function policy(name: string, spec: JsonObject): JsonObject {
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingAdmissionPolicy',
    metadata: { name },
    spec: {
      matchConstraints: {
        resourceRules: [{ apiGroups: ['apps'], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['deployments'] }],
      },
      ...spec,
    },
  };
}

export function binding(name: string, policyName: string, spec: JsonObject = {}): JsonObject {
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingAdmissionPolicyBinding',
    metadata: { name },
    spec: { policyName, validationActions: ['Deny'], ...spec },
  };
}

export function deployment(replicas: number, extra: JsonObject = {}): JsonObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'shop', labels: { app: 'web' } },
    spec: { replicas, template: { spec: { containers: [{ name: 'app', image: 'registry.example.com/app:1' }] } } },
    ...extra,
  };
}

export function createRequest(object: JsonObject, more: Partial<AdmissionRequestLike> = {}): AdmissionRequestLike {
  const meta = (object.metadata ?? {}) as JsonObject;
  return {
    uid: 'u-1',
    kind: { group: 'apps', version: 'v1', kind: String(object.kind) },
    resource: { group: 'apps', version: 'v1', resource: 'deployments' },
    name: String(meta.name ?? ''),
    namespace: String(meta.namespace ?? ''),
    operation: 'CREATE',
    userInfo: { username: 'alice', groups: ['dev', 'system:authenticated'] },
    object,
    dryRun: false,
    ...more,
  };
}

export const namespaces = {
  shop: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { environment: 'test', team: 'a' } } },
  prod: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'prod', labels: { environment: 'prod' } } },
};
