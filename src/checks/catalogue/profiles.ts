/** Checks: seccomp and AppArmor profiles beyond the Pod Security Standards (which forbid only Unconfined). */
import { annotationsOf, containerLabel, effectiveSecurityField, isObj, isWindowsPod, securityContextOf, someKey, type JsonPath, type PodSpecRef } from '../../model/index.js';
import { defineCheck } from './define.js';
import { quotedText } from './util.js';
import { Area } from '../screen.js';
import type { CheckDef, ResourceContext } from './types.js';

const SECCOMP_POD_ANNOTATION = 'seccomp.security.alpha.kubernetes.io/pod';
const SECCOMP_CONTAINER_PREFIX = 'container.seccomp.security.alpha.kubernetes.io/';
const APPARMOR_PREFIX = 'container.apparmor.security.beta.kubernetes.io/';

const SECCOMP_DOCS = 'https://kubernetes.io/docs/tutorials/security/seccomp/';
const APPARMOR_DOCS = 'https://kubernetes.io/docs/tutorials/security/apparmor/';

/** An annotation's value as messages quote it (not a string: its JSON, quoted). */
function shortValue(v: unknown): string {
  return quotedText(typeof v === 'string' ? v : JSON.stringify(v) ?? String(v), 60);
}

interface ProfileAnnotation {
  key: string;
  value: unknown;
  path: JsonPath;
  /** The container the key names (undefined for the pod-wide seccomp key). */
  container?: string;
  /** On the workload's own metadata instead of its pod template: the kubelet never sees it. */
  misplaced: boolean;
}

/**
 * Profile annotations of the pod (or pod template), and those put on a controller's own
 * metadata by mistake, where they have no effect at all.
 */
function profileAnnotations(ctx: ResourceContext, pod: PodSpecRef, matches: (key: string) => string | undefined | false): ProfileAnnotation[] {
  const own = annotationsOf(pod.meta);
  const controller = pod.metaPath.length > 1 ? annotationsOf(ctx.object.metadata) : undefined;
  // Most pods carry none of these annotations: look before building anything.
  const named = (key: string) => matches(key) !== false;
  if (!someKey(own, named) && (controller === undefined || !someKey(controller, named))) return [];
  const out: ProfileAnnotation[] = [];
  const scan = (annotations: Record<string, unknown>, metaPath: JsonPath, misplaced: boolean) => {
    for (const key of Object.keys(annotations).sort()) {
      const container = matches(key);
      if (container === false) continue;
      out.push({ key, value: annotations[key], path: [...metaPath, 'annotations', key], container, misplaced });
    }
  };
  scan(own, pod.metaPath, false);
  if (controller) scan(controller, ['metadata'], true);
  return out;
}

/** The container a seccomp annotation names (undefined: the pod-wide key), or false for other keys. */
function seccompAnnotation(key: string): string | undefined | false {
  return key === SECCOMP_POD_ANNOTATION ? undefined : key.startsWith(SECCOMP_CONTAINER_PREFIX) ? key.slice(SECCOMP_CONTAINER_PREFIX.length) : false;
}

/** The container an AppArmor annotation names, or false for other keys. */
function appArmorAnnotation(key: string): string | false {
  return key.startsWith(APPARMOR_PREFIX) ? key.slice(APPARMOR_PREFIX.length) : false;
}

function containerNames(ctx: ResourceContext): Set<string> {
  return new Set(ctx.containers.map((c) => c.name));
}

const seccompDeprecatedAnnotation = defineCheck({
  id: 'seccomp/deprecated-annotation',
  title: 'Deprecated seccomp annotation',
  severity: 'low',
  defaultOn: true,
  stride: ['E'],
  kinds: 'workload',
  areas: Area.profileAnnotations,
  description:
    'The `seccomp.security.alpha.kubernetes.io/pod` and `container.seccomp.security.alpha.kubernetes.io/<name>` annotations ' +
    'were replaced by the securityContext.seccompProfile field in Kubernetes v1.19 and are no longer translated into it by ' +
    'current versions: a pod that relies on them may run without the profile its author intended. The same annotation on a ' +
    'controller\'s own metadata, rather than its pod template, never had any effect.',
  remediation: 'Replace the annotation with securityContext.seccompProfile (type RuntimeDefault, or Localhost with localhostProfile) on the pod or container.',
  example: `securityContext:
  seccompProfile:
    type: RuntimeDefault
containers:
- name: app
  image: registry.example.com/app:1.4.2`,
  refs: {
    kubeScore: ['container-seccomp-profile'],
    links: [SECCOMP_DOCS],
  },
  run(ctx) {
    const pod = ctx.pod;
    if (!pod) return;
    const found = profileAnnotations(ctx, pod, seccompAnnotation);
    if (found.length === 0) return;
    const names = containerNames(ctx);
    for (const a of found) {
      let note = 'set securityContext.seccompProfile instead';
      if (a.misplaced) note = 'it is on the workload, not the pod template, so it has no effect; set securityContext.seccompProfile';
      else if (a.container !== undefined && !names.has(a.container)) note = `no container ${JSON.stringify(a.container)} exists in the pod; set securityContext.seccompProfile`;
      ctx.report(a.path, `annotation ${a.key}=${shortValue(a.value)} is deprecated since v1.19: ${note}`);
    }
  },
});

const seccompLocalhostWithoutProfile = defineCheck({
  id: 'seccomp/localhost-without-profile',
  title: 'Localhost seccomp profile without a profile name',
  severity: 'medium',
  defaultOn: true,
  stride: ['E', 'D'],
  kinds: 'workload',
  areas: Area.seccomp,
  description:
    'seccompProfile.type: Localhost means "the profile file named by localhostProfile on the node". Without localhostProfile ' +
    'the API server rejects the pod, so the workload does not deploy; and when the field was meant to tighten confinement, ' +
    'removing it in a hurry leaves the container without the intended profile.',
  remediation: 'Set seccompProfile.localhostProfile to the profile path relative to the kubelet seccomp directory, or use type: RuntimeDefault.',
  example: `securityContext:
  seccompProfile:
    type: Localhost
    localhostProfile: profiles/app.json
containers:
- name: app
  image: registry.example.com/app:1.4.2`,
  refs: { links: [SECCOMP_DOCS] },
  run(ctx) {
    const pod = ctx.pod;
    if (!pod) return;
    const check = (owner: string, sc: unknown, scPath: JsonPath) => {
      if (!isObj(sc) || !isObj(sc.seccompProfile) || sc.seccompProfile.type !== 'Localhost') return;
      const name = sc.seccompProfile.localhostProfile;
      if (typeof name === 'string' && name.trim() !== '') return;
      ctx.report(
        [...scPath, 'seccompProfile', 'localhostProfile'],
        `${owner} securityContext.seccompProfile.type is Localhost but localhostProfile is ${name === undefined || name === null ? 'not set' : 'empty'}`,
      );
    };
    check('pod', pod.spec.securityContext, [...pod.specPath, 'securityContext']);
    for (const c of ctx.containers) check(containerLabel(c), securityContextOf(c), [...c.path, 'securityContext']);
  },
});

const appArmorMissing = defineCheck({
  id: 'apparmor/missing',
  title: 'No AppArmor profile set',
  severity: 'low',
  defaultOn: false,
  stride: ['E'],
  kinds: 'workload',
  description:
    'AppArmor confines what a container may do with files, mounts and signals even when it runs as root. Setting ' +
    'securityContext.appArmorProfile (RuntimeDefault, or Localhost with a profile of your own) on the pod or container makes ' +
    'the confinement explicit, and makes the kubelet refuse to start the pod on a node that cannot enforce it instead of ' +
    'silently running it unconfined.',
  remediation: 'Set securityContext.appArmorProfile.type: RuntimeDefault on the pod (or Localhost with localhostProfile on a container).',
  example: `securityContext:
  appArmorProfile:
    type: RuntimeDefault
containers:
- name: app
  image: registry.example.com/app:1.4.2`,
  refs: {
    kubesec: ['ApparmorAny'],
    trivy: ['KSV-0002'],
    links: [APPARMOR_DOCS],
  },
  rationale:
    'Off by default, unlike §7: on nodes with AppArmor enabled the runtime already applies its default profile to containers ' +
    'that set none, so the finding is about being explicit rather than a missing control, and on nodes without AppArmor ' +
    '(SELinux distributions, Bottlerocket, Windows) a profile cannot be set at all; on by default it would flag nearly every ' +
    'workload. Windows pods are skipped. The deprecated annotation form counts as set (apparmor/deprecated-annotation reports it).',
  run(ctx) {
    const pod = ctx.pod;
    if (!pod || isWindowsPod(pod)) return;
    const annotations = annotationsOf(pod.meta);
    for (const c of ctx.containers) {
      const eff = effectiveSecurityField(pod, c, 'appArmorProfile');
      if (isObj(eff.value) && typeof eff.value.type === 'string' && eff.value.type !== '') continue;
      const a = annotations[APPARMOR_PREFIX + c.name];
      if (typeof a === 'string' && a !== '') continue;
      ctx.report(
        [...c.path, 'securityContext', 'appArmorProfile'],
        `${containerLabel(c)} has no AppArmor profile: neither it nor the pod sets securityContext.appArmorProfile`,
      );
    }
  },
});

const appArmorDeprecatedAnnotation = defineCheck({
  id: 'apparmor/deprecated-annotation',
  title: 'Deprecated AppArmor annotation',
  severity: 'info',
  defaultOn: true,
  stride: ['E'],
  kinds: 'workload',
  areas: Area.profileAnnotations,
  description:
    'The `container.apparmor.security.beta.kubernetes.io/<container>` annotations are deprecated: AppArmor is configured ' +
    'with securityContext.appArmorProfile, GA since Kubernetes v1.30. An annotation that names no container of the pod, or ' +
    'sits on a controller\'s own metadata instead of its pod template, has no effect at all, so the profile its author ' +
    'meant to apply is not applied.',
  remediation: 'Replace the annotation with securityContext.appArmorProfile on the pod or the container (runtime/default → RuntimeDefault, localhost/<name> → Localhost with localhostProfile).',
  example: `containers:
- name: app
  image: registry.example.com/app:1.4.2
  securityContext:
    appArmorProfile:
      type: Localhost
      localhostProfile: k8s-app`,
  refs: { links: [APPARMOR_DOCS] },
  rationale:
    'An annotation with no effect (unknown container, or on the controller instead of the pod template) is raised to low: ' +
    'it is a configuration error, not only a deprecated spelling.',
  run(ctx) {
    const pod = ctx.pod;
    if (!pod) return;
    const found = profileAnnotations(ctx, pod, appArmorAnnotation);
    if (found.length === 0) return;
    const names = containerNames(ctx);
    for (const a of found) {
      const head = `annotation ${a.key}=${shortValue(a.value)}`;
      if (a.misplaced) {
        ctx.report(a.path, `${head} is on the workload, not the pod template, so it has no effect: set securityContext.appArmorProfile`, 'low');
      } else if (!names.has(a.container ?? '')) {
        ctx.report(a.path, `${head} names no container of the pod, so it has no effect: set securityContext.appArmorProfile`, 'low');
      } else {
        ctx.report(a.path, `${head} is deprecated: set securityContext.appArmorProfile (GA since v1.30)`);
      }
    }
  },
});

export const CHECKS: CheckDef[] = [seccompDeprecatedAnnotation, seccompLocalhostWithoutProfile, appArmorMissing, appArmorDeprecatedAnnotation];
