/** Checks: container securityContext beyond what the Pod Security Standards require. */
import { asArray, containerLabel, effectiveSecurityField, isObj, isWindowsPod, securityContextOf, type JsonPath } from '../../model/index.js';
import { defineCheck } from './define.js';
import { Area } from '../screen.js';
import type { CheckDef } from './types.js';

/** An absent, null, non-object or empty securityContext sets nothing. */
function setsNothing(sc: unknown): boolean {
  return !isObj(sc) || Object.values(sc).every((v) => v === undefined || v === null);
}

const readOnlyRootFilesystem = defineCheck({
  id: 'securitycontext/readonly-root-filesystem',
  title: 'Container root filesystem is writable',
  severity: 'medium',
  defaultOn: true,
  stride: ['T', 'E'],
  kinds: 'workload',
  areas: Area.readOnlyRoot,
  description:
    'An immutable container cannot be changed at run time: an attacker who gets code execution cannot drop tools, ' +
    'rewrite binaries or persist in the image layer. `readOnlyRootFilesystem: true` makes the root filesystem read-only; ' +
    'writable paths the application needs become emptyDir volumes.',
  remediation: 'Set securityContext.readOnlyRootFilesystem: true and mount an emptyDir where the process must write.',
  example: `containers:
- name: app
  image: registry.example.com/app@sha256:…
  securityContext:
    readOnlyRootFilesystem: true
  volumeMounts:
  - name: tmp
    mountPath: /tmp
volumes:
- name: tmp
  emptyDir: {}`,
  refs: {
    cis: ['5.7.3'],
    kubesec: ['ReadOnlyRootFilesystem'],
    polaris: ['notReadOnlyRootFilesystem'],
    trivy: ['KSV-0014'],
    kubescape: ['C-0017'],
    kubeLinter: ['no-read-only-root-fs'],
    kubeScore: ['container-security-context-readonlyrootfilesystem'],
  },
  rationale: 'Windows pods are skipped: the API server rejects readOnlyRootFilesystem when spec.os.name is windows.',
  run(ctx) {
    if (ctx.pod && isWindowsPod(ctx.pod)) return;
    for (const c of ctx.containers) {
      if (securityContextOf(c)?.readOnlyRootFilesystem === true) continue;
      ctx.report([...c.path, 'securityContext', 'readOnlyRootFilesystem'], `${containerLabel(c)} does not set securityContext.readOnlyRootFilesystem=true`);
    }
  },
});

/** IDs at or below this collide with users and groups that commonly exist on the node. */
const HIGH_ID = 10000;

type IdField = 'runAsUser' | 'runAsGroup';

const rootGroupOrLowId = defineCheck({
  id: 'securitycontext/root-group-or-low-id',
  title: 'Root group, or a UID/GID not above 10000',
  severity: 'low',
  defaultOn: false,
  stride: ['E', 'T'],
  kinds: 'workload',
  description:
    'A process in the root group (GID 0, through runAsGroup, fsGroup or supplementalGroups) can read and write every file ' +
    'that is group-owned by root: in many images that is most of the filesystem, and on the node it is what a container escape ' +
    'inherits. UIDs and GIDs at or below 10000 overlap the system and login accounts of the node, so files an escaped process ' +
    'touches on a hostPath or shared volume belong to a real host user. This opt-in policy asks for explicit IDs above 10000 ' +
    'and no root group. (UID 0 itself is reported by the Pod Security Standards control `runAsUser`.)',
  remediation: 'Set runAsUser and runAsGroup to IDs above 10000 on the pod, use a non-zero fsGroup, and remove 0 from supplementalGroups.',
  example: `securityContext:
  runAsNonRoot: true
  runAsUser: 10001
  runAsGroup: 10001
  fsGroup: 10001
containers:
- name: app
  image: registry.example.com/app:1.4.2`,
  refs: {
    kubesec: ['RunAsUser', 'RunAsGroup'],
    trivy: ['KSV-0020', 'KSV-0021', 'KSV-0116'],
    kubeLinter: ['run-as-non-root'],
    kubeScore: ['container-security-context-user-group-id'],
  },
  rationale:
    'Like kube-score and Trivy, an unset runAsUser/runAsGroup counts as a failure: the image then decides, and most images run ' +
    'as 0 or a low ID. UID 0 is left to PSS runAsUser. Windows pods are skipped (they use windowsOptions.runAsUserName), and ' +
    'with hostUsers: false only the root-group part is checked, since user namespaces map container IDs to an unprivileged ' +
    'host range. A value inherited from the pod is reported once, at the pod field, naming the containers that use it.',
  run(ctx) {
    const pod = ctx.pod;
    if (!pod || isWindowsPod(pod)) return;
    const psc = isObj(pod.spec.securityContext) ? pod.spec.securityContext : undefined;
    const pscPath: JsonPath = [...pod.specPath, 'securityContext'];
    if (psc?.fsGroup === 0) {
      ctx.report([...pscPath, 'fsGroup'], 'pod securityContext.fsGroup is 0: volumes are group-owned by root and every container joins the root group');
    }
    asArray(psc?.supplementalGroups).forEach((g, i) => {
      if (g === 0) ctx.report([...pscPath, 'supplementalGroups', i], 'pod securityContext.supplementalGroups includes 0: every container joins the root group');
    });
    const userNamespace = pod.spec.hostUsers === false;
    // Pod-level values are reported once, with the containers that inherit them.
    const inherited = new Map<IdField, { problem: string; users: string[] }>();
    for (const c of ctx.containers) {
      const unset: IdField[] = [];
      for (const field of ['runAsUser', 'runAsGroup'] as const) {
        const eff = effectiveSecurityField(pod, c, field);
        if (eff.from === 'unset') {
          if (!userNamespace) unset.push(field);
          continue;
        }
        const v = eff.value;
        // Anything but a non-negative integer is rejected by the API server; nothing to judge.
        if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) continue;
        let problem: string | undefined;
        if (v === 0) problem = field === 'runAsGroup' ? 'is 0, the root group' : undefined;
        else if (v <= HIGH_ID && !userNamespace) problem = `is ${v}, not above ${HIGH_ID}`;
        if (problem === undefined) continue;
        if (eff.from === 'container') {
          ctx.report(eff.path, `${containerLabel(c)} securityContext.${field} ${problem}`);
        } else {
          const entry = inherited.get(field) ?? { problem, users: [] };
          entry.users.push(containerLabel(c));
          inherited.set(field, entry);
        }
      }
      if (unset.length > 0) {
        ctx.report(
          [...c.path, 'securityContext', unset[0]],
          `${containerLabel(c)} sets no securityContext.${unset.join(' or ')} and neither does the pod: the image decides (set IDs above ${HIGH_ID})`,
        );
      }
    }
    for (const [field, { problem, users }] of inherited) {
      ctx.report([...pscPath, field], `pod securityContext.${field} ${problem} (used by ${users.join(', ')})`);
    }
  },
});

const missingSecurityContext = defineCheck({
  id: 'securitycontext/missing',
  title: 'No securityContext on the container or the pod',
  severity: 'low',
  defaultOn: false,
  stride: ['E'],
  kinds: 'workload',
  description:
    'A container with no securityContext, in a pod with none either, runs with every runtime default: as the image user ' +
    '(often root), with privilege escalation allowed, the default capability set and no seccomp profile. Nobody has ' +
    'considered how it should be confined.',
  remediation: 'Add a securityContext to the pod and the container that sets at least runAsNonRoot, seccompProfile, allowPrivilegeEscalation and capabilities.',
  example: `securityContext:
  runAsNonRoot: true
  seccompProfile:
    type: RuntimeDefault
containers:
- name: app
  image: registry.example.com/app:1.4.2
  securityContext:
    allowPrivilegeEscalation: false
    readOnlyRootFilesystem: true
    capabilities:
      drop: ["ALL"]`,
  refs: {
    cis: ['5.7.3'],
    trivy: ['KSV-0118'],
    kubescape: ['C-0211'],
  },
  rationale:
    'Off by default: the default profile runs PSS restricted, which already reports each field a missing securityContext ' +
    'leaves unset (allowPrivilegeEscalation, runAsNonRoot, seccompProfile, capabilities), plus readonly-root-filesystem; a ' +
    'summary finding would be a fifth report for the same fix. Worth enabling (`--checks` or `--profile all`) together with ' +
    '`--pss-level baseline`, where it is the only signal. An empty securityContext (`{}`, or every field null) counts as missing, as in Trivy KSV-0118.',
  run(ctx) {
    const pod = ctx.pod;
    if (!pod || !setsNothing(pod.spec.securityContext)) return;
    for (const c of ctx.containers) {
      const sc = c.container.securityContext;
      if (!setsNothing(sc)) continue;
      const what = sc === undefined || sc === null ? 'has no securityContext' : isObj(sc) ? 'has an empty securityContext' : 'has an invalid securityContext';
      ctx.report([...c.path, 'securityContext'], `${containerLabel(c)} ${what} and the pod sets none either: it runs with every runtime default`);
    }
  },
});

export const CHECKS: CheckDef[] = [readOnlyRootFilesystem, rootGroupOrLowId, missingSecurityContext];
