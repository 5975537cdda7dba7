/** Checks: how Services expose pods outside the cluster. */
import { annotationsOf, apiGroupOf, asArray, cappedList, isObj } from '../../model/index.js';
import { defineCheck } from './define.js';
import { kindAndName } from './util.js';
import type { CheckDef, ResourceContext } from './types.js';

/** The core-group Service spec, or undefined (a CRD may reuse the kind name). */
function serviceSpec(ctx: ResourceContext): Record<string, unknown> | undefined {
  if (apiGroupOf(ctx.object.apiVersion) !== '') return undefined;
  return isObj(ctx.object.spec) ? ctx.object.spec : undefined;
}

const externalIPs = defineCheck({
  id: 'service/external-ips',
  title: 'Service sets externalIPs',
  severity: 'high',
  defaultOn: true,
  stride: ['S', 'T', 'I'],
  kinds: ['Service'],
  description:
    '`spec.externalIPs` makes every node route traffic for the listed addresses to the Service. Nothing checks that ' +
    'the creator owns those addresses, so anyone who can create a Service can intercept traffic meant for any IP — ' +
    'another tenant\'s, an external API\'s (CVE-2020-8554, unpatchable by design). Clusters should block the field with ' +
    'the DenyServiceExternalIPs admission plugin or a policy.',
  remediation: 'Use a LoadBalancer or Ingress instead of externalIPs, and enable the DenyServiceExternalIPs admission plugin.',
  example: `apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  type: ClusterIP
  selector:
    app: web
  ports:
  - port: 443
    targetPort: 8443`,
  refs: {
    trivy: ['KSV-0108'],
    links: [
      'https://nvd.nist.gov/vuln/detail/CVE-2020-8554',
      'https://github.com/kubernetes/kubernetes/issues/97076',
      'https://kubernetes.io/docs/reference/access-authn-authz/admission-controllers/#denyserviceexternalips',
    ],
  },
  run(ctx) {
    const spec = serviceSpec(ctx);
    if (!spec) return;
    const ips = typeof spec.externalIPs === 'string' ? [spec.externalIPs] : asArray(spec.externalIPs).filter((ip): ip is string => typeof ip === 'string' && ip !== '');
    if (ips.length === 0) return;
    const shown = cappedList(ips, 3);
    ctx.report(['spec', 'externalIPs'], `${kindAndName(ctx)} sets spec.externalIPs (${shown}); traffic to these addresses can be hijacked cluster-wide (CVE-2020-8554)`);
  },
});

const nodePort = defineCheck({
  id: 'service/node-port',
  title: 'Service of type NodePort',
  severity: 'low',
  defaultOn: true,
  stride: ['I'],
  kinds: ['Service'],
  description:
    'A NodePort Service opens a port on every node, for every network that can reach the nodes, bypassing the ingress ' +
    'layer (TLS, authentication, WAF) and often the firewall rules written for it.',
  remediation: 'Use type ClusterIP behind an Ingress or Gateway, or a LoadBalancer restricted with loadBalancerSourceRanges.',
  example: `spec:
  type: ClusterIP
  selector:
    app: web
  ports:
  - port: 80
    targetPort: 8080`,
  refs: {
    kubeScore: ['service-type'],
    kubeLinter: ['exposed-services'],
    links: ['https://kubernetes.io/docs/concepts/services-networking/service/#type-nodeport'],
  },
  run(ctx) {
    const spec = serviceSpec(ctx);
    if (!spec || spec.type !== 'NodePort') return;
    ctx.report(['spec', 'type'], `${kindAndName(ctx)} is of type NodePort: its ports are open on every node`);
  },
});

/** Annotations that make a cloud load balancer internal (not reachable from the internet). */
const INTERNAL_LB: ReadonlyArray<[string, RegExp]> = [
  ['service.beta.kubernetes.io/aws-load-balancer-internal', /^(?:true|0\.0\.0\.0\/0)$/i],
  ['service.beta.kubernetes.io/aws-load-balancer-scheme', /^internal$/i],
  ['service.beta.kubernetes.io/azure-load-balancer-internal', /^true$/i],
  ['networking.gke.io/load-balancer-type', /^internal$/i],
  ['cloud.google.com/load-balancer-type', /^internal$/i],
  ['service.beta.kubernetes.io/oci-load-balancer-internal', /^true$/i],
  ['service.kubernetes.io/ibm-load-balancer-cloud-provider-ip-type', /^private$/i],
];
const SOURCE_RANGES_ANNOTATION = 'service.beta.kubernetes.io/load-balancer-source-ranges';
const OPEN_RANGE = /^(?:0\.0\.0\.0\/0|::\/0)$/;

function rangesOf(v: unknown): string[] {
  if (typeof v === 'string') return v.split(',').map((s) => s.trim()).filter((s) => s !== '');
  return asArray(v).filter((s): s is string => typeof s === 'string' && s.trim() !== '').map((s) => s.trim());
}

const loadBalancerOpen = defineCheck({
  id: 'service/load-balancer-open',
  title: 'LoadBalancer Service open to any source',
  severity: 'low',
  defaultOn: true,
  stride: ['I', 'D'],
  kinds: ['Service'],
  description:
    'A LoadBalancer Service without `spec.loadBalancerSourceRanges` is reachable from every address the cloud load ' +
    'balancer faces — usually the internet. Internal load balancers (cloud annotations) are skipped; the legacy ' +
    '`service.beta.kubernetes.io/load-balancer-source-ranges` annotation counts as source ranges; `0.0.0.0/0` does not.',
  remediation: 'Set spec.loadBalancerSourceRanges to the client networks, or make the load balancer internal.',
  example: `spec:
  type: LoadBalancer
  loadBalancerSourceRanges:
  - 203.0.113.0/24
  selector:
    app: web
  ports:
  - port: 443
    targetPort: 8443`,
  refs: {
    kubeLinter: ['exposed-services'],
    links: ['https://kubernetes.io/docs/tasks/access-application-cluster/configure-cloud-provider-firewall/'],
  },
  rationale:
    'Internal load balancers are skipped: they are not exposed beyond the VPC, and flagging them would push users to ' +
    'suppress the check wholesale.',
  run(ctx) {
    const spec = serviceSpec(ctx);
    if (!spec || spec.type !== 'LoadBalancer') return;
    const ann = annotationsOf(ctx.resource.metadata);
    if (INTERNAL_LB.some(([key, re]) => typeof ann[key] === 'string' && re.test(ann[key]))) return;
    const fromSpec = rangesOf(spec.loadBalancerSourceRanges);
    const ranges = fromSpec.length > 0 ? fromSpec : rangesOf(ann[SOURCE_RANGES_ANNOTATION]);
    if (ranges.length === 0) {
      ctx.report(['spec', 'type'], `${kindAndName(ctx)} is of type LoadBalancer without spec.loadBalancerSourceRanges: reachable from any address`);
      return;
    }
    const open = ranges.find((r) => OPEN_RANGE.test(r));
    if (open) {
      const list = spec.loadBalancerSourceRanges;
      const idx = Array.isArray(list) ? list.findIndex((r) => typeof r === 'string' && r.trim() === open) : -1;
      const path = fromSpec.length > 0
        ? (idx >= 0 ? ['spec', 'loadBalancerSourceRanges', idx] : ['spec', 'loadBalancerSourceRanges'])
        : ['metadata', 'annotations', SOURCE_RANGES_ANNOTATION];
      ctx.report(path, `${kindAndName(ctx)} is of type LoadBalancer with source range ${open}: reachable from any address`);
    }
  },
});

export const CHECKS: CheckDef[] = [externalIPs, nodePort, loadBalancerOpen];
