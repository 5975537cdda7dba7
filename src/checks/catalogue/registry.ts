/**
 * Every catalogue check, in documentation order. A topic file exports `CHECKS`; this file
 * only lists the topics.
 */
import type { CheckDef } from './types.js';
import { CHECKS as securityContext } from './securitycontext.js';
import { CHECKS as host } from './host.js';
import { CHECKS as capabilities } from './capabilities.js';
import { CHECKS as profiles } from './profiles.js';
import { CHECKS as images } from './images.js';
import { CHECKS as resources } from './resources.js';
import { CHECKS as secrets } from './secrets.js';
import { CHECKS as serviceAccounts } from './serviceaccounts.js';
import { CHECKS as rbac } from './rbac.js';
import { CHECKS as networkPolicy } from './networkpolicy.js';
import { CHECKS as services } from './services.js';
import { CHECKS as ingress } from './ingress.js';
import { CHECKS as namespaces } from './namespaces.js';
import { CHECKS as quotas } from './quotas.js';
import { CHECKS as runtimeClass } from './runtimeclass.js';
import { CHECKS as availability } from './availability.js';
import { CHECKS as deprecated } from './deprecated.js';

export const CATALOGUE: readonly CheckDef[] = [
  ...securityContext,
  ...host,
  ...capabilities,
  ...profiles,
  ...images,
  ...resources,
  ...secrets,
  ...serviceAccounts,
  ...rbac,
  ...networkPolicy,
  ...services,
  ...ingress,
  ...namespaces,
  ...quotas,
  ...runtimeClass,
  ...availability,
  ...deprecated,
];

export function findCheck(id: string): CheckDef | undefined {
  return CATALOGUE.find((c) => c.id === id);
}
