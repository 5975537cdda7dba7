// Real-world behaviour: the real `palisade` CLI on large manifest sets in the shapes found in
// the wild (test-fixtures/realworld/*): an operator release bundle, a microservices demo, a
// kube-prometheus-like monitoring stack and a fully hardened application.
//
// Every finding is checked against an independent reading of the files (the `yaml` library's
// full parse, not the scanner's fast line finder): its resource exists where it says, its line
// is the line of its path (or of the nearest existing ancestor when the path names a missing
// field), and it is not about a CRD or a custom resource.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMap, isScalar, isSeq, parseDocument, type Node } from 'yaml';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const bin = join(root, 'bin', 'palisade.js');
const FIXTURES = 'test-fixtures/realworld';

/** Resources per set, as written (a `kind: List` counts its items; empty documents count nothing). */
const EXPECTED_RESOURCES: Readonly<Record<string, number>> = {
  // namespace 1, CRDs 4, rbac 8, manager 2 (ConfigMap, Deployment), webhook 6, policies 2,
  // samples List 5 (PostgresCluster, Pooler, ScheduledBackup, Backup, Certificate)
  operator: 28,
  // 51 Kubernetes objects, plus kustomization.yaml: it parses as an object (kind Kustomization)
  // and the scanner counts it like any other document.
  microservices: 52,
  // the ConfigMapList of dashboards counts its 2 ConfigMaps
  monitoring: 46,
  hardened: 22,
};

/** API groups of built-in kinds. Anything else in these sets is a CRD instance. */
const BUILTIN_GROUPS = new Set([
  '', 'apps', 'batch', 'policy', 'autoscaling', 'networking.k8s.io', 'rbac.authorization.k8s.io',
  'admissionregistration.k8s.io', 'coordination.k8s.io', 'discovery.k8s.io', 'node.k8s.io',
  'storage.k8s.io', 'scheduling.k8s.io', 'certificates.k8s.io',
]);

function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash === -1 ? '' : apiVersion.slice(0, slash);
}

// ---------------------------------------------------------------------------------------------
// The CLI

interface ReportResource { apiVersion: string; kind: string; namespace?: string; name: string; file: string; line: number }
interface ReportFinding { check: string; severity: string; message: string; resource: ReportResource; path: string; line: number; suppressed: boolean }
interface Report {
  findings: ReportFinding[];
  summary: { resources: number; findings: number };
  errors: Array<{ file: string; line?: number; message: string }>;
  warnings: string[];
}

const reports = new Map<string, { code: number | null; report: Report; stderr: string }>();

function scanSet(set: string) {
  let r = reports.get(set);
  if (r) return r;
  const run = spawnSync(process.execPath, [bin, 'scan', `${FIXTURES}/${set}`, '--format', 'json', '--fail-on', 'none'], {
    cwd: root,
    encoding: 'utf8',
    timeout: 60_000,
    maxBuffer: 64 << 20,
    env: { ...process.env, NO_COLOR: '1' },
  });
  assert.equal(run.signal, null, `palisade was killed (${run.signal}) scanning ${set}`);
  r = { code: run.status, report: JSON.parse(run.stdout) as Report, stderr: run.stderr };
  reports.set(set, r);
  return r;
}

// ---------------------------------------------------------------------------------------------
// An independent index of the fixture files: every resource, where it starts, and its YAML nodes.

interface Doc {
  /** Path as the scanner shows it (relative to the project root). */
  file: string;
  /** 1-based lines of the document in its file (the `---` line included). */
  startLine: number;
  endLine: number;
  /** Helm `# Source:` comment of the document, if any. */
  helm?: { template: string; commentLine: number };
  /** 1-based line in the file of a character offset in the document text. */
  lineAt(offset: number): number;
}

interface IndexedResource {
  doc: Doc;
  node: Node;
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
  /** Line of the resource's first content line in its file. */
  line: number;
  /** Last line of the resource in its file. */
  endLine: number;
}

function walkFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    if (name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walkFiles(p, out);
    else if (/\.(ya?ml|json)$/i.test(name)) out.push(p);
  }
  return out;
}

const fileLines = new Map<string, string[]>();

function linesOf(file: string): string[] {
  let lines = fileLines.get(file);
  if (!lines) fileLines.set(file, (lines = readFileSync(join(root, file), 'utf8').split('\n')));
  return lines;
}

/** Documents of a file: the whole text for JSON, else split at `---` / `...` lines like YAML 1.2. */
function chunksOf(file: string): Array<{ startLine: number; lines: string[] }> {
  const lines = linesOf(file);
  if (/^\s*[{[]/.test(lines.join('\n'))) return [{ startLine: 1, lines }];
  const chunks: Array<{ startLine: number; lines: string[] }> = [];
  let current: { startLine: number; lines: string[] } = { startLine: 1, lines: [] };
  lines.forEach((line, i) => {
    if (/^---(\s|$)/.test(line)) {
      if (current.lines.length > 0) chunks.push(current);
      current = { startLine: i + 1, lines: [line] };
    } else if (/^\.\.\.(\s|$)/.test(line)) {
      current.lines.push(line);
      chunks.push(current);
      current = { startLine: i + 2, lines: [] };
    } else {
      current.lines.push(line);
    }
  });
  if (current.lines.length > 0) chunks.push(current);
  return chunks;
}

function str(node: unknown): string | undefined {
  return isScalar(node) && typeof node.value === 'string' ? node.value : undefined;
}

function get(map: Node, key: string): Node | undefined {
  if (!isMap(map)) return undefined;
  const pair = map.items.find((p) => isScalar(p.key) && String(p.key.value) === key);
  return (pair?.value ?? undefined) as Node | undefined;
}

function indexSet(set: string): IndexedResource[] {
  const out: IndexedResource[] = [];
  for (const abs of walkFiles(join(root, FIXTURES, set))) {
    const file = abs.slice(root.length + 1).replace(/\\/g, '/');
    for (const chunk of chunksOf(file)) {
      const text = chunk.lines.join('\n');
      const parsed = parseDocument(text, { uniqueKeys: false });
      assert.deepEqual(parsed.errors.map((e) => e.message), [], `${file}:${chunk.startLine} does not parse`);
      if (parsed.contents === null) continue;
      const starts = [0];
      for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
      const lineAt = (offset: number) => {
        let lo = 0;
        let hi = starts.length - 1;
        while (lo < hi) {
          const mid = (lo + hi + 1) >> 1;
          if (starts[mid] <= offset) lo = mid;
          else hi = mid - 1;
        }
        return chunk.startLine + lo;
      };
      const doc: Doc = { file, startLine: chunk.startLine, endLine: chunk.startLine + chunk.lines.length - 1, lineAt };
      const firstContent = chunk.lines.findIndex((l) => !/^\s*(#.*)?$/.test(l) && !/^---\s*$/.test(l));
      chunk.lines.slice(0, firstContent).forEach((l, i) => {
        const m = /^# Source: (\S.*?)\s*$/.exec(l);
        if (m && !doc.helm) doc.helm = { template: m[1], commentLine: chunk.startLine + i };
      });
      const top = parsed.contents as Node;
      const kind = str(get(top, 'kind')) ?? '';
      const items = get(top, 'items');
      const nodes = kind.endsWith('List') && isSeq(items) ? (items.items as Node[]) : [top];
      for (const node of nodes) {
        const meta = get(node, 'metadata');
        out.push({
          doc,
          node,
          apiVersion: str(get(node, 'apiVersion')) ?? '',
          kind: str(get(node, 'kind')) ?? '',
          name: (meta && str(get(meta, 'name'))) ?? '',
          namespace: (meta && str(get(meta, 'namespace'))) || undefined,
          line: lineAt(node.range![0]),
          endLine: lineAt(Math.max(node.range![0], node.range![1] - 1)),
        });
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Paths as findings write them: `spec.template.spec.containers[0].image`, `metadata.labels["a/b"]`.

function parsePath(path: string): Array<string | number> {
  const segs: Array<string | number> = [];
  const re = /^(?:\.?([A-Za-z_][A-Za-z0-9_-]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\])/;
  let rest = path;
  while (rest !== '') {
    const m = re.exec(rest);
    assert.ok(m, `finding path "${path}" does not parse at "${rest}"`);
    segs.push(m[1] ?? (m[2] !== undefined ? Number(m[2]) : (JSON.parse(m[3]) as string)));
    rest = rest.slice(m[0].length);
  }
  return segs;
}

/** The line of the deepest existing node on `path`, and the segment that named it. */
function locate(r: IndexedResource, path: Array<string | number>): { line: number; seg?: string | number; complete: boolean } {
  let node: Node | undefined = r.node;
  let line = r.line;
  let seg: string | number | undefined;
  let depth = 0;
  for (const s of path) {
    if (typeof s === 'string' && isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === s);
      if (!pair) break;
      line = r.doc.lineAt((pair.key as Node).range![0]);
      node = (pair.value ?? undefined) as Node | undefined;
    } else if (typeof s === 'number' && isSeq(node) && s < node.items.length) {
      const item = node.items[s] as Node;
      line = r.doc.lineAt(item.range![0]);
      node = item;
    } else {
      break;
    }
    seg = s;
    depth++;
  }
  return { line, seg, complete: depth === path.length };
}

/** The line users see: inside the Helm template for rendered input, else the file's. */
function shown(r: IndexedResource, fileLine: number): number {
  return r.doc.helm ? Math.max(1, fileLine - r.doc.helm.commentLine) : fileLine;
}

function shownFile(r: IndexedResource): string {
  return r.doc.helm?.template ?? r.doc.file;
}

// ---------------------------------------------------------------------------------------------

function checkSet(set: string) {
  const { code, report, stderr } = scanSet(set);
  const where = `scanning ${FIXTURES}/${set}`;
  assert.ok(code === 0 || code === 1, `exit code ${code} ${where}; stderr: ${stderr}`);
  assert.deepEqual(report.errors, [], `input errors ${where}`);
  const failed = report.warnings.filter((w) => /failed on|internal error/.test(w));
  assert.deepEqual(failed, [], `checks failed ${where}`);

  const index = indexSet(set);
  assert.equal(report.summary.resources, EXPECTED_RESOURCES[set], `resources scanned ${where}`);
  assert.equal(index.length, EXPECTED_RESOURCES[set], `resources in the fixture files of ${set}`);
  assert.equal(report.summary.findings, report.findings.filter((f) => !f.suppressed).length);

  let missingFields = 0;
  for (const f of report.findings) {
    const label = `${f.check} on ${f.resource.kind}/${f.resource.name} at ${f.resource.file}:${f.line} (path "${f.path}")`;

    // Never about a CRD or a custom resource.
    assert.notEqual(f.resource.kind, 'CustomResourceDefinition', label);
    assert.ok(BUILTIN_GROUPS.has(groupOf(f.resource.apiVersion)), `finding on a custom resource: ${label}`);

    // The resource exists, in the file and at the line the finding names.
    const candidates = index.filter((r) =>
      shownFile(r) === f.resource.file && r.kind === f.resource.kind && r.name === f.resource.name &&
      r.namespace === f.resource.namespace && r.apiVersion === f.resource.apiVersion);
    assert.ok(candidates.length > 0, `no such resource in ${set}: ${label}`);
    const r = candidates.find((c) => shown(c, c.line) === f.resource.line);
    assert.ok(r, `resource line ${f.resource.line} is not where ${f.resource.kind}/${f.resource.name} starts (${candidates.map((c) => shown(c, c.line)).join(', ')}): ${label}`);
    if (r.doc.helm) {
      // Helm-rendered input names the chart template, which is not a file here; the real
      // file holds a `# Source:` comment naming it.
      assert.equal(existsSync(join(root, f.resource.file)), false, label);
      assert.match(linesOf(r.doc.file)[r.doc.helm.commentLine - 1], /^# Source: /, label);
    } else {
      assert.ok(existsSync(join(root, f.resource.file)), `resource.file does not exist: ${label}`);
    }

    // The line: inside the file and the resource, on the path's last key (or on the nearest
    // existing ancestor when the path names a missing field).
    const lines = linesOf(r.doc.file);
    const offset = r.doc.helm ? r.doc.helm.commentLine : 0;
    assert.ok(f.line >= 1 && f.line + offset <= lines.length, `line outside the file (${lines.length} lines): ${label}`);
    const fileLine = f.line + offset;
    assert.ok(fileLine >= r.doc.startLine && fileLine <= r.doc.endLine, `line outside the document (lines ${r.doc.startLine}-${r.doc.endLine}): ${label}`);
    assert.ok(fileLine >= r.line && fileLine <= r.endLine, `line outside the resource (lines ${r.line}-${r.endLine}): ${label}`);
    const path = parsePath(f.path);
    const found = locate(r, path);
    if (!found.complete) missingFields++;
    assert.equal(f.line, shown(r, found.line), `line is not the line of ${found.complete ? 'the path' : `its nearest existing ancestor (${String(found.seg ?? '<resource>')})`}: ${label}`);
    const text = lines[fileLine - 1];
    if (typeof found.seg === 'string') {
      assert.ok(text.includes(found.seg), `line ${fileLine} "${text.trim()}" does not contain "${found.seg}": ${label}`);
    } else if (typeof found.seg === 'number' && !r.doc.file.endsWith('.json')) {
      assert.match(text, /^\s*- /, `line ${fileLine} "${text.trim()}" is not a sequence item: ${label}`);
    }
  }
  return { report, index, missingFields };
}

function summary(r: { report: Report; missingFields: number }): string {
  const { report, missingFields } = r;
  return `${report.summary.resources} resources, ${report.findings.length} findings (${missingFields} on a missing field): ${byCheck(report.findings)}`;
}

function byCheck(findings: readonly ReportFinding[]): string {
  const counts = new Map<string, number>();
  for (const f of findings) counts.set(f.check, (counts.get(f.check) ?? 0) + 1);
  return [...counts].sort(([a], [b]) => (a < b ? -1 : 1)).map(([c, n]) => `${c}=${n}`).join(' ');
}

function has(findings: readonly ReportFinding[], check: string, name: string): boolean {
  return findings.some((f) => f.check === check && f.resource.name === name);
}

test('operator release bundle: CRDs, webhooks, RBAC and a kind: List of custom resources', (t) => {
  const set = checkSet('operator');
  const { report, index } = set;
  t.diagnostic(summary(set));
  // The CRDs and custom resources are there (the assertions above are not vacuous).
  assert.equal(index.filter((r) => r.kind === 'CustomResourceDefinition').length, 4);
  assert.ok(index.filter((r) => !BUILTIN_GROUPS.has(groupOf(r.apiVersion))).length >= 11);
  assert.equal(index.filter((r) => r.doc.file.endsWith('.json')).length, 5, 'the List file holds 5 items');
  // The broad rules operators really ask for are reported.
  assert.ok(has(report.findings, 'rbac/secrets-access', 'kestrel-manager-role'));
  assert.ok(has(report.findings, 'rbac/exec-attach-portforward', 'kestrel-manager-role'));
  // The hardened operator Deployment passes the Pod Security Standards.
  assert.deepEqual(report.findings.filter((f) => f.resource.kind === 'Deployment' && f.check.startsWith('pss/')), []);
});

test('microservices demo: the shortcuts are reported, the kustomization is harmless', (t) => {
  const set = checkSet('microservices');
  const { report, index } = set;
  t.diagnostic(summary(set));
  assert.ok(has(report.findings, 'service/load-balancer-open', 'frontend-external'));
  assert.ok(has(report.findings, 'image/latest-tag', 'loadgenerator'));
  assert.ok(has(report.findings, 'resources/memory-limit-missing', 'loadgenerator'));
  assert.ok(has(report.findings, 'pss/restricted/runAsNonRoot', 'redis-cart'));
  assert.ok(has(report.findings, 'serviceaccount/default-service-account', 'redis-cart'));
  // kustomization.yaml is not a Kubernetes object: no error, no finding.
  const kustomization = index.filter((r) => r.doc.file.endsWith('/kustomization.yaml'));
  assert.equal(kustomization.length, 1);
  assert.equal(kustomization[0].kind, 'Kustomization');
  assert.deepEqual(report.findings.filter((f) => f.resource.file.endsWith('kustomization.yaml')), []);
  // Helm-rendered documents are reported against their chart template.
  const helm = report.findings.filter((f) => f.resource.file.startsWith('boutique-extras/templates/'));
  assert.ok(helm.length > 0, 'a finding in the Helm-rendered file');
});

test('monitoring stack: node-exporter host access is reported, CRD instances and rules are not', (t) => {
  const set = checkSet('monitoring');
  const { report, index } = set;
  t.diagnostic(summary(set));
  for (const kind of ['Prometheus', 'Alertmanager', 'ServiceMonitor', 'PrometheusRule']) {
    assert.ok(index.some((r) => r.kind === kind), `the set has a ${kind}`);
  }
  assert.ok(has(report.findings, 'pss/baseline/hostNamespaces', 'node-exporter'));
  assert.ok(has(report.findings, 'host/sensitive-hostpath', 'node-exporter'));
  assert.ok(has(report.findings, 'rbac/secrets-access', 'kube-state-metrics'));
  // The dashboards (one large JSON string each) hold no credential.
  assert.deepEqual(report.findings.filter((f) => f.resource.kind === 'ConfigMap'), []);
});

test('hardened application: zero findings with the default profile', (t) => {
  const set = checkSet('hardened');
  const { report } = set;
  t.diagnostic(summary(set));
  assert.deepEqual(report.findings.map((f) => `${f.check} ${f.resource.file}:${f.line} ${f.message}`), []);
  assert.equal(report.summary.findings, 0);
  assert.equal(scanSet('hardened').code, 0);
});
