/**
 * The Restricted Pod Security Standard: the seven controls pod-security-admission adds on
 * top of (and partly instead of) Baseline.
 */
import { asArray, isObj, type PssControl, type Violation } from './imports.js';
import { procMount, procMountViolations, validSeccompType } from './baseline.js';
import { containerLabel, podAndContainerViolations, podSc, podScPath, quoteList, sc, scPath, str } from './util.js';
import { ALLOWED_VOLUME_SOURCES, Area } from '../screen.js';

/** Volume sources Kubernetes knows and restricted forbids (anything else is "unknown"). */
const KNOWN_RESTRICTED_SOURCES = new Set([
  'hostPath', 'gcePersistentDisk', 'awsElasticBlockStore', 'gitRepo', 'nfs', 'iscsi', 'glusterfs', 'rbd', 'flexVolume',
  'cinder', 'cephfs', 'flocker', 'fc', 'azureFile', 'vsphereVolume', 'quobyte', 'azureDisk', 'portworxVolume',
  'photonPersistentDisk', 'scaleIO', 'storageos',
]);

export const restrictedVolumes: PssControl = {
  id: 'restrictedVolumes',
  areas: Area.volumeSources,
  level: 'restricted',
  since: 0,
  overrides: ['hostPathVolumes'],
  title: 'Volume type outside the restricted set',
  reason: 'restricted volume types',
  severity: 'medium',
  stride: ['E', 'I'],
  description: 'Restricted pods may only use ephemeral and projected volume types (configMap, csi, downwardAPI, emptyDir, ephemeral, image, persistentVolumeClaim, projected, secret); node and network filesystems are out.',
  remediation: 'Use a PersistentVolumeClaim instead of mounting storage directly, or one of the allowed volume types.',
  refs: { trivy: ['KSV-0028'] },
  example: `containers:
- name: app
  image: registry.example.com/app:1.4.2
  volumeMounts:
  - name: data
    mountPath: /data
  - name: config
    mountPath: /etc/app
volumes:
- name: data
  persistentVolumeClaim:
    claimName: app-data
- name: config
  configMap:
    name: app-config`,
  evaluate(ctx) {
    const out: Violation[] = [];
    asArray(ctx.spec.volumes).forEach((v, i) => {
      if (!isObj(v)) return;
      const sources = Object.keys(v).filter((k) => k !== 'name' && v[k] !== undefined && v[k] !== null);
      // A volume with only a name is an emptyDir after API defaulting.
      if (sources.length === 0 || sources.some((k) => ALLOWED_VOLUME_SOURCES.has(k))) return;
      const type = sources.find((k) => KNOWN_RESTRICTED_SOURCES.has(k)) ?? 'unknown';
      out.push({
        path: [...ctx.pod.specPath, 'volumes', i, ...(type === 'unknown' ? [] : [type])],
        detail: `volume ${JSON.stringify(str(v.name))} uses restricted volume type ${JSON.stringify(type)}`,
      });
    });
    return out;
  },
};

export const allowPrivilegeEscalation: PssControl = {
  id: 'allowPrivilegeEscalation',
  areas: Area.privilegeEscalation,
  level: 'restricted',
  since: 8,
  title: 'Privilege escalation not disabled',
  reason: 'allowPrivilegeEscalation != false',
  severity: 'high',
  stride: ['E'],
  description: 'Unless allowPrivilegeEscalation is false, a process can gain more privileges than its parent (setuid binaries, file capabilities): no_new_privs is not set.',
  remediation: 'Set securityContext.allowPrivilegeEscalation: false on every container.',
  refs: { cis: ['5.2.6'], kubesec: ['AllowPrivilegeEscalation'], polaris: ['privilegeEscalationAllowed'], trivy: ['KSV-0001'], kubescape: ['C-0016'], kubeLinter: ['privilege-escalation-container'] },
  example: `containers:
- name: app
  image: registry.example.com/app:1.4.2
  securityContext:
    allowPrivilegeEscalation: false`,
  evaluate(ctx) {
    const out: Violation[] = [];
    if (ctx.minor >= 25 && ctx.windows) return out;
    for (const c of ctx.containers) {
      if (sc(c)?.allowPrivilegeEscalation === false) continue;
      out.push({ path: scPath(c, 'allowPrivilegeEscalation'), detail: `${containerLabel(c)} must set securityContext.allowPrivilegeEscalation=false` });
    }
    return out;
  },
};

export const runAsNonRoot: PssControl = {
  id: 'runAsNonRoot',
  areas: Area.runAsNonRoot,
  level: 'restricted',
  since: 0,
  title: 'Containers may run as root',
  reason: 'runAsNonRoot != true',
  severity: 'medium',
  stride: ['E'],
  description: 'Without runAsNonRoot: true the kubelet lets an image that defaults to UID 0 run as root.',
  remediation: 'Set securityContext.runAsNonRoot: true on the pod (or on every container), and run the image as a non-zero UID.',
  refs: { cis: ['5.2.7'], kubesec: ['RunAsNonRoot'], polaris: ['runAsRootAllowed'], trivy: ['KSV-0012'], kubescape: ['C-0013'], kubeLinter: ['run-as-non-root'], kubeScore: ['container-security-context-user-group-id'] },
  example: `securityContext:
  runAsNonRoot: true
  runAsUser: 10001
containers:
- name: app
  image: registry.example.com/app:1.4.2`,
  evaluate(ctx) {
    if (ctx.minor >= 35 && ctx.userNamespace) return [];
    const out: Violation[] = [];
    const podValue = podSc(ctx)?.runAsNonRoot;
    if (podValue === false) out.push({ path: podScPath(ctx, 'runAsNonRoot'), detail: 'pod must not set securityContext.runAsNonRoot=false' });
    const podTrue = podValue === true;
    for (const c of ctx.containers) {
      const v = sc(c)?.runAsNonRoot;
      if (v === false) {
        out.push({ path: scPath(c, 'runAsNonRoot'), detail: `${containerLabel(c)} must not set securityContext.runAsNonRoot=false` });
      } else if ((v === undefined || v === null) && !podTrue) {
        out.push({ path: scPath(c, 'runAsNonRoot'), detail: `pod or ${containerLabel(c)} must set securityContext.runAsNonRoot=true` });
      }
    }
    return out;
  },
};

export const runAsUser: PssControl = {
  id: 'runAsUser',
  areas: Area.runAsUser,
  level: 'restricted',
  since: 23,
  title: 'Runs as UID 0',
  reason: 'runAsUser=0',
  severity: 'high',
  stride: ['E'],
  description: 'runAsUser: 0 runs the container as root, whatever the image says.',
  remediation: 'Set runAsUser to a non-zero UID (for example 10001), or remove it and rely on a non-root image user.',
  refs: { cis: ['5.2.7'], trivy: ['KSV-0105'], kubescape: ['C-0013'] },
  example: `securityContext:
  runAsNonRoot: true
  runAsUser: 10001
containers:
- name: app
  image: registry.example.com/app:1.4.2`,
  evaluate(ctx) {
    if (ctx.minor >= 35 && ctx.userNamespace) return [];
    return podAndContainerViolations(ctx, 'runAsUser', [], (v) => (v === 0 ? 'must not set runAsUser=0' : undefined));
  },
};

export const seccompProfileRestricted: PssControl = {
  id: 'seccompProfile_restricted',
  areas: Area.seccomp,
  level: 'restricted',
  since: 19,
  overrides: ['seccompProfile_baseline'],
  title: 'Seccomp profile not set',
  reason: 'seccompProfile',
  severity: 'medium',
  stride: ['E'],
  description: 'Restricted pods must run under a seccomp profile (RuntimeDefault or Localhost), set on the pod or on every container.',
  remediation: 'Set spec.securityContext.seccompProfile.type: RuntimeDefault on the pod.',
  refs: { cis: ['5.7.2'], kubesec: ['SeccompAny'], trivy: ['KSV-0030'], kubescape: ['C-0210'], kubeScore: ['container-seccomp-profile'] },
  example: `securityContext:
  seccompProfile:
    type: RuntimeDefault
containers:
- name: app
  image: registry.example.com/app:1.4.2`,
  evaluate(ctx) {
    if (ctx.minor >= 25 && ctx.windows) return [];
    const out: Violation[] = [];
    const pod = podSc(ctx)?.seccompProfile;
    let podValid = false;
    if (isObj(pod)) {
      if (validSeccompType(pod.type)) podValid = true;
      else out.push({ path: podScPath(ctx, 'seccompProfile', 'type'), detail: `pod must not set securityContext.seccompProfile.type to ${JSON.stringify(str(pod.type))}` });
    }
    for (const c of ctx.containers) {
      const p = sc(c)?.seccompProfile;
      if (isObj(p)) {
        if (!validSeccompType(p.type)) {
          out.push({ path: scPath(c, 'seccompProfile', 'type'), detail: `${containerLabel(c)} must not set securityContext.seccompProfile.type to ${JSON.stringify(str(p.type))}` });
        }
      } else if (!podValid) {
        out.push({ path: scPath(c, 'seccompProfile'), detail: `pod or ${containerLabel(c)} must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"` });
      }
    }
    return out;
  },
};

export const capabilitiesRestricted: PssControl = {
  id: 'capabilities_restricted',
  areas: Area.capabilities,
  level: 'restricted',
  since: 22,
  overrides: ['capabilities_baseline'],
  title: 'Capabilities not dropped',
  reason: 'unrestricted capabilities',
  severity: 'medium',
  stride: ['E'],
  description: 'Restricted containers must drop ALL capabilities and may add back only NET_BIND_SERVICE.',
  remediation: 'Set securityContext.capabilities.drop: ["ALL"] and add back only NET_BIND_SERVICE if the process binds a port below 1024.',
  refs: { cis: ['5.2.8', '5.2.9', '5.2.10'], kubesec: ['CapDropAll'], polaris: ['insecureCapabilities'], trivy: ['KSV-0003', 'KSV-0106'] },
  example: `containers:
- name: app
  image: registry.example.com/app:1.4.2
  securityContext:
    capabilities:
      drop: ["ALL"]
      add: ["NET_BIND_SERVICE"]`,
  evaluate(ctx) {
    if (ctx.minor >= 25 && ctx.windows) return [];
    const out: Violation[] = [];
    for (const c of ctx.containers) {
      const caps = sc(c)?.capabilities;
      const drop = isObj(caps) ? caps.drop : undefined;
      if (!Array.isArray(drop) || !drop.includes('ALL')) {
        out.push({ path: scPath(c, 'capabilities', 'drop'), detail: `${containerLabel(c)} must set securityContext.capabilities.drop=["ALL"]` });
      }
      const add = isObj(caps) ? asArray(caps.add) : [];
      // Only an add list with something besides NET_BIND_SERVICE is worth building the message for.
      if (add.length === 0 || add.every((cap) => str(cap) === 'NET_BIND_SERVICE')) continue;
      const added = add.map(str).filter((cap) => cap !== 'NET_BIND_SERVICE');
      if (added.length > 0) {
        out.push({
          path: scPath(c, 'capabilities', 'add'),
          detail: `${containerLabel(c)} must not include ${quoteList([...new Set(added)])} in securityContext.capabilities.add`,
        });
      }
    }
    return out;
  },
};

/** Baseline's procMount without its user-namespace exception (same title, fix and references). */
export const procMountRestricted: PssControl = {
  ...procMount,
  id: 'procMount_restricted',
  level: 'restricted',
  since: 35,
  overrides: ['procMount'],
  description: 'At the restricted level /proc stays masked even for pods in their own user namespace.',
  evaluate: procMountViolations,
};

export const RESTRICTED_CONTROLS: readonly PssControl[] = [
  allowPrivilegeEscalation,
  capabilitiesRestricted,
  procMountRestricted,
  restrictedVolumes,
  runAsNonRoot,
  runAsUser,
  seccompProfileRestricted,
];
