/** Checks: Ingress TLS and dangerous ingress-nginx annotations. */
import { annotationsOf, apiGroupOf, asArray, isObj, type JsonPath } from '../../model/index.js';
import { defineCheck } from './define.js';
import { kindAndName, specOf } from './util.js';
import type { CheckDef, ResourceContext } from './types.js';

const INGRESS_GROUPS = ['networking.k8s.io', 'extensions'];

/** The Ingress spec (built-in groups only), or undefined. */
function ingressSpec(ctx: ResourceContext): Record<string, unknown> | undefined {
  const v = ctx.object.apiVersion;
  if (typeof v === 'string' && v !== '' && !INGRESS_GROUPS.includes(apiGroupOf(v))) return undefined;
  return specOf(ctx.object);
}

/** cert-manager's temporary HTTP-01 solver Ingress: plain HTTP by design. */
function isAcmeSolver(ctx: ResourceContext): boolean {
  const labels = ctx.resource.metadata.labels;
  return isObj(labels) && String(labels['acme.cert-manager.io/http01-solver']) === 'true';
}

/** Annotations that terminate TLS at a cloud load balancer instead of spec.tls. */
const LB_TLS_ANNOTATIONS = [
  'alb.ingress.kubernetes.io/certificate-arn',
  'networking.gke.io/pre-shared-cert',
  'ingress.gcp.kubernetes.io/pre-shared-cert',
  'networking.gke.io/managed-certificates',
  'appgw.ingress.kubernetes.io/appgw-ssl-certificate',
];

const noTls = defineCheck({
  id: 'ingress/no-tls',
  title: 'Ingress without TLS',
  severity: 'medium',
  defaultOn: true,
  stride: ['I', 'T'],
  kinds: ['Ingress'],
  description:
    'Without `spec.tls` the Ingress serves plain HTTP: credentials, cookies and data cross the network readable and ' +
    'modifiable by anyone on the path. TLS terminated by a cloud load balancer (ALB/GKE/App Gateway certificate ' +
    'annotations) counts, and cert-manager\'s temporary ACME HTTP-01 solver Ingresses are skipped.',
  remediation: 'Add spec.tls with the Ingress hosts and a certificate Secret (cert-manager can issue it).',
  example: `spec:
  tls:
  - hosts: ["shop.example.com"]
    secretName: shop-tls
  rules:
  - host: shop.example.com
    http:
      paths:
      - path: /
        pathType: Prefix
        backend:
          service:
            name: shop
            port:
              number: 80`,
  refs: {
    polaris: ['tlsSettingsMissing'],
    kubescape: ['C-0263'],
    links: ['https://kubernetes.io/docs/concepts/services-networking/ingress/#tls'],
  },
  run(ctx) {
    const spec = ingressSpec(ctx);
    if (!spec || isAcmeSolver(ctx)) return;
    if (asArray(spec.tls).length > 0) return;
    const ann = annotationsOf(ctx.resource.metadata);
    if (LB_TLS_ANNOTATIONS.some((k) => typeof ann[k] === 'string' && ann[k] !== '')) return;
    const path: JsonPath = spec.tls !== undefined ? ['spec', 'tls'] : ['spec'];
    ctx.report(path, `${kindAndName(ctx)} has no spec.tls: it serves plain HTTP`);
  },
});

/** Whether TLS host `tlsHost` (possibly `*.example.com`) covers rule host `host` (one label per wildcard). */
function covers(tlsHost: string, host: string): boolean {
  const t = tlsHost.toLowerCase();
  const h = host.toLowerCase();
  if (t === h) return true;
  if (!t.startsWith('*.') || h.startsWith('*.')) return false;
  const dot = h.indexOf('.');
  return dot > 0 && h.slice(dot) === t.slice(1);
}

const hostNotCovered = defineCheck({
  id: 'ingress/host-not-covered-by-tls',
  title: 'Ingress host not covered by TLS',
  severity: 'low',
  defaultOn: true,
  stride: ['I', 'T'],
  kinds: ['Ingress'],
  description:
    'When an Ingress has TLS, every rule host should appear in some `spec.tls[].hosts` (a `*.example.com` entry covers ' +
    'exactly one label: `a.example.com`, not `example.com` or `a.b.example.com`). Hosts left out are served over plain ' +
    'HTTP or with the controller\'s default certificate. A TLS entry without `secretName` also falls back to the default ' +
    'certificate (info).',
  remediation: 'List every rule host under spec.tls[].hosts, with a secretName holding a certificate for it.',
  example: `spec:
  tls:
  - hosts: ["shop.example.com", "api.example.com"]
    secretName: shop-tls
  rules:
  - host: shop.example.com
  - host: api.example.com`,
  refs: {
    links: ['https://kubernetes.io/docs/concepts/services-networking/ingress/#tls'],
  },
  run(ctx) {
    const spec = ingressSpec(ctx);
    if (!spec || isAcmeSolver(ctx)) return;
    const tls = asArray(spec.tls);
    if (tls.length === 0) return;
    const tlsHosts: string[] = [];
    for (let j = 0; j < tls.length; j++) {
      const entry = tls[j];
      if (!isObj(entry)) continue;
      const hosts = asArray(entry.hosts).filter((h): h is string => typeof h === 'string' && h !== '');
      tlsHosts.push(...hosts);
      if (typeof entry.secretName !== 'string' || entry.secretName === '') {
        const which = hosts.length > 0 ? ` (hosts ${hosts.map((h) => `"${h}"`).join(', ')})` : '';
        ctx.report(['spec', 'tls', j], `spec.tls[${j}]${which} has no secretName: the controller's default certificate is served`, 'info');
      }
    }
    const rules = asArray(spec.rules);
    for (let i = 0; i < rules.length; i++) {
      const rule = rules[i];
      if (!isObj(rule) || typeof rule.host !== 'string' || rule.host === '') continue;
      const host = rule.host;
      if (tlsHosts.some((t) => covers(t, host))) continue;
      ctx.report(['spec', 'rules', i, 'host'], `${kindAndName(ctx)} host "${host}" is not listed in any spec.tls[].hosts: it is served without its certificate`);
    }
  },
});

const NGINX_SNIPPET = /^nginx\.ingress\.kubernetes\.io\/[a-z0-9-]+-snippet$/i;
/** NGINX Inc.'s controller has the same feature under another prefix. */
const NGINX_ORG_SNIPPET = /^nginx\.org\/[a-z0-9-]+-snippets$/i;

const nginxSnippet = defineCheck({
  id: 'ingress/nginx-snippet-annotation',
  title: 'ingress-nginx snippet annotation',
  severity: 'high',
  defaultOn: true,
  stride: ['E', 'I'],
  kinds: ['Ingress'],
  description:
    'Snippet annotations (`configuration-snippet`, `server-snippet`, `auth-snippet`, `stream-snippet`…) paste raw NGINX ' +
    'configuration into the controller, which runs with a ServiceAccount that can read every Secret in the cluster. ' +
    'Anyone who can edit an Ingress can use them to read files and tokens from the controller (CVE-2021-25742, ' +
    'CVE-2023-5043); ingress-nginx disables them by default since v1.9. NGINX Inc.\'s `nginx.org/*-snippets` carry the same risk.',
  remediation: 'Remove the snippet and use the dedicated annotations or a controller-level ConfigMap; keep allow-snippet-annotations disabled.',
  example: `metadata:
  name: shop
  annotations:
    nginx.ingress.kubernetes.io/proxy-body-size: 8m
    nginx.ingress.kubernetes.io/ssl-redirect: "true"`,
  refs: {
    kubescape: ['C-0059'],
    links: [
      'https://github.com/kubernetes/ingress-nginx/issues/7837',
      'https://github.com/kubernetes/ingress-nginx/issues/10571',
      'https://nvd.nist.gov/vuln/detail/CVE-2021-25742',
      'https://nvd.nist.gov/vuln/detail/CVE-2023-5043',
    ],
  },
  rationale:
    'Cites CVE-2023-5043 (command injection through configuration-snippet) rather than CVE-2023-5044, which is the ' +
    'permanent-redirect annotation, not a snippet.',
  run(ctx) {
    if (!ingressSpec(ctx)) return;
    for (const key of Object.keys(annotationsOf(ctx.resource.metadata))) {
      if (!NGINX_SNIPPET.test(key) && !NGINX_ORG_SNIPPET.test(key)) continue;
      ctx.report(['metadata', 'annotations', key], `annotation "${key}" injects raw NGINX configuration into the ingress controller (CVE-2021-25742, CVE-2023-5043)`);
    }
  },
});

export const CHECKS: CheckDef[] = [noTls, hostNotCovered, nginxSnippet];
