/** Checks: container securityContext beyond what the Pod Security Standards require. */
import { isObj } from '../../model/index.js';
import { defineCheck } from './define.js';
import type { CheckDef } from './types.js';

const readOnlyRootFilesystem = defineCheck({
  id: 'securitycontext/readonly-root-filesystem',
  title: 'Container root filesystem is writable',
  severity: 'medium',
  defaultOn: true,
  stride: ['T', 'E'],
  kinds: 'workload',
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
  run(ctx) {
    for (const c of ctx.containers) {
      const sc = c.container.securityContext;
      if (isObj(sc) && sc.readOnlyRootFilesystem === true) continue;
      ctx.report([...c.path, 'securityContext', 'readOnlyRootFilesystem'], `container "${c.name}" does not set securityContext.readOnlyRootFilesystem=true`);
    }
  },
});

export const CHECKS: CheckDef[] = [readOnlyRootFilesystem];
