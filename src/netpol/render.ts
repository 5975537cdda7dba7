/** Text, JSON and HTML for the matrix, explain and exposure answers. */
import * as B from './bitset.js';
import { peerText, probeText, rulePeersText, rulePortsText } from './describe.js';
import type { Endpoint, Engine, SideVerdict, Verdict } from './engine.js';
import type { PodExposure } from './exposure.js';
import type { Pod, Probe } from './types.js';

export const SELF_NOTE = 'A Pod always reaches itself (Kubernetes: "a pod cannot block access to itself"); for a workload the diagonal is traffic between its replicas, which policies govern. The upstream e2e suite leaves loopback out of its matrices.';

export interface MatrixAnswer {
  probe: Probe;
  /** The pods shown (rows and columns), in input order. */
  pods: Pod[];
  /** rows[i] over all pods of the model (index by pod.index). */
  rows: B.Bits[];
}

/** The matrix for a probe, shown for the pods of `namespaces` (all when empty). */
export function matrixAnswer(engine: Engine, probe: Probe, namespaces: readonly string[] = []): MatrixAnswer {
  const pods = namespaces.length === 0 ? engine.model.pods : engine.model.pods.filter((p) => namespaces.includes(p.namespace));
  const all = engine.matrix(probe);
  return { probe, pods, rows: pods.map((p) => all[p.index]) };
}

/**
 * `{"port", "pods", "allowed": {from: {to: bool}}, "note"}`, one source per line: written by
 * hand because a 1,000-pod matrix is a million entries (JSON.stringify of the object costs
 * several times more).
 */
export function matrixJson(m: MatrixAnswer): string {
  const keys = m.pods.map((p) => JSON.stringify(p.id));
  const parts: string[] = [`{\n  "port": ${JSON.stringify(probeText(m.probe))},\n  "pods": [${keys.join(', ')}],\n  "allowed": {`];
  m.pods.forEach((s, i) => {
    const row = m.rows[i];
    const cells = m.pods.map((d, j) => `${keys[j]}: ${B.has(row, d.index) ? 'true' : 'false'}`);
    parts.push(`\n    ${keys[i]}: {${cells.join(', ')}}${i + 1 < m.pods.length ? ',' : ''}`);
  });
  parts.push(`${m.pods.length > 0 ? '\n  ' : ''}},\n  "note": ${JSON.stringify(SELF_NOTE)}\n}\n`);
  return parts.join('');
}

/** Rows are sources, columns destinations; short matrices carry names, wide ones numbers with a legend. */
export function matrixTable(m: MatrixAnswer): string {
  const n = m.pods.length;
  if (n === 0) return 'no pods to show (none in the input, or none in the namespaces asked for)\n';
  const named = n <= 12 && m.pods.every((p) => p.id.length <= 16);
  const heads = m.pods.map((p, i) => (named ? p.id : String(i + 1)));
  const left = m.pods.map((p, i) => (named ? p.id : `${String(i + 1).padStart(String(n).length)} ${p.id}`));
  const w = Math.max(...left.map((l) => l.length), 'from \\ to'.length);
  const lines = [`${probeText(m.probe)}: rows connect to columns (X allowed, . denied)`, '', `${'from \\ to'.padEnd(w)}  ${heads.join(' ')}`];
  m.pods.forEach((s, i) => {
    lines.push(`${left[i].padEnd(w)}  ${m.pods.map((d, j) => (B.has(m.rows[i], d.index) ? 'X' : '.').padEnd(heads[j].length)).join(' ')}`.trimEnd());
  });
  let allowed = 0;
  m.rows.forEach((r, i) => { for (const d of m.pods) if (d !== m.pods[i] && B.has(r, d.index)) allowed++; });
  lines.push('', `${allowed} of ${n * (n - 1)} connections between different pods allowed. ${SELF_NOTE}`);
  return `${lines.join('\n')}\n`;
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export function matrixHtml(m: MatrixAnswer): string {
  const p = esc(probeText(m.probe));
  const head = m.pods.map((d) => `<th class="to"><span>${esc(d.id)}</span></th>`).join('');
  const body = m.pods.map((s, i) => {
    const cells = m.pods.map((d) => {
      const ok = B.has(m.rows[i], d.index);
      return `<td class="${ok ? 'y' : 'n'}" title="${esc(s.id)} → ${esc(d.id)} ${p}: ${ok ? 'allowed' : 'denied'}">${ok ? '✓' : '·'}</td>`;
    }).join('');
    return `<tr><th class="from">${esc(s.id)}</th>${cells}</tr>`;
  }).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>NetworkPolicy reachability ${p}</title>
<style>
body{font:14px system-ui,sans-serif;margin:1.5em}
table{border-collapse:collapse}
th,td{border:1px solid #ccc;padding:2px 5px;text-align:center}
th.from{text-align:right;white-space:nowrap;position:sticky;left:0;background:#fff}
th.to{vertical-align:bottom;height:9em;position:sticky;top:0;background:#fff}
th.to span{writing-mode:vertical-rl;transform:rotate(180deg);white-space:nowrap}
td.y{background:#d4f4d4;color:#075e07}
td.n{background:#f8d7d7;color:#8a1c1c}
</style></head><body>
<h1>Who can reach whom on ${p}</h1>
<p>Rows are sources, columns destinations. ${esc(SELF_NOTE)}</p>
<table>
<tr><th></th>${head}</tr>
${body}
</table>
</body></html>
`;
}

export function endpointText(e: Endpoint): string {
  return 'pod' in e ? e.pod.id : e.text;
}

interface JsonSide {
  pod: string | null;
  isolated: boolean;
  allowed: boolean;
  policies: Array<{
    policy: string; file: string; line: number; allows: boolean;
    rules: Array<{ rule: string; line: number; allows: boolean; peer: string | null; port: string | null; peers: string; ports: string }>;
  }>;
}

function sideJson(side: SideVerdict, dst: Pod | undefined): JsonSide {
  return {
    pod: side.pod?.id ?? null,
    isolated: side.isolated,
    allowed: side.allowed,
    policies: side.policies.map((pv) => ({
      policy: pv.policy.id,
      file: pv.policy.resource.file,
      line: pv.policy.resource.line,
      allows: pv.allows,
      rules: pv.rules.map((rv) => {
        const field = rv.rule.direction === 'ingress' ? 'from' : 'to';
        return {
          rule: `${rv.rule.direction}[${rv.rule.index}]`,
          line: pv.policy.resource.lineOf(rv.rule.path),
          allows: rv.allows,
          peer: rv.peer === undefined ? null : rv.peer === -1 ? null : `${field}[${rv.peer}]`,
          port: rv.port === undefined ? null : rv.port === -1 ? null : `ports[${rv.port}]`,
          peers: rulePeersText(rv.rule, pv.policy.namespace),
          ports: rulePortsText(rv.rule, dst),
        };
      }),
    })),
  };
}

/** hostNetwork pods share their node's network: what policies do for them is up to the network plugin. */
function hostNetworkNotes(v: Verdict): string[] {
  const out: string[] = [];
  for (const e of [v.from, v.to]) {
    if ('pod' in e && e.pod.hostNetwork && !out.some((n) => n.startsWith(e.pod.id))) {
      out.push(`${e.pod.id} uses hostNetwork: NetworkPolicy behaviour for it is plugin-specific (most treat its traffic as the node's, and traffic from a pod's own node is always allowed in); the answer assumes policies apply to it like any pod`);
    }
  }
  return out;
}

export function explainJson(v: Verdict): string {
  const dst = 'pod' in v.to ? v.to.pod : undefined;
  const out: Record<string, unknown> = {
    from: endpointText(v.from),
    to: endpointText(v.to),
    port: probeText(v.probe),
    allowed: v.allowed,
    egress: sideJson(v.egress, dst),
    ingress: sideJson(v.ingress, dst),
  };
  const notes = hostNetworkNotes(v);
  if (v.self) notes.unshift('a Pod always reaches itself: NetworkPolicy does not apply to its own traffic (the upstream e2e suite ignores loopback)');
  if (notes.length > 0) out.notes = notes;
  return `${JSON.stringify(out, null, 2)}\n`;
}

function sideText(side: SideVerdict, other: Endpoint, dst: Pod | undefined, probe: Probe): string[] {
  const dir = side.direction;
  if (!side.pod) return [`${dir}: not evaluated (the ${dir === 'egress' ? 'source' : 'destination'} is an address outside the cluster's pods)`];
  const who = side.pod.id;
  if (!side.isolated) return [`${dir} of ${who}: allowed — no NetworkPolicy with ${dir === 'ingress' ? 'Ingress' : 'Egress'} in policyTypes selects ${who}, so it is not isolated for ${dir}`];
  const lines = [`${dir} of ${who}: ${side.allowed ? 'allowed' : 'denied'} — isolated for ${dir} by ${side.policies.length} polic${side.policies.length === 1 ? 'y' : 'ies'}${side.allowed ? '' : `, none of whose rules admits ${endpointText(other)}`}`];
  for (const pv of side.policies) {
    const r = pv.policy.resource;
    const rules = dir === 'ingress' ? pv.policy.ingress : pv.policy.egress;
    if (rules.length === 0) {
      lines.push(`  ${pv.policy.id} (${r.file}:${r.line}): no ${dir} rules (denies all ${dir})`);
      continue;
    }
    lines.push(`  ${pv.policy.id} (${r.file}:${r.line}): ${pv.allows ? 'allows' : 'does not allow'}`);
    for (const rv of pv.rules) {
      const field = dir === 'ingress' ? 'from' : 'to';
      const at = `${r.file}:${r.lineOf(rv.rule.path)}`;
      const peers = rulePeersText(rv.rule, pv.policy.namespace);
      const ports = rulePortsText(rv.rule, dst);
      let why: string;
      if (rv.allows) {
        const peer = rv.peer === undefined ? `no ${field} list` : `${field}[${rv.peer}] ${peerText(rv.rule.peers[rv.peer!], pv.policy.namespace)}`;
        const port = rv.port === undefined ? 'all ports' : `ports[${rv.port}] ${ports.split(', ')[rv.port!] ?? ''}`.trim();
        why = `allows: ${peer}; ${port}`;
      } else if (rv.peer === -1 && rv.port === -1) why = `neither ${field} (${peers}) nor ports (${ports}) match`;
      else if (rv.peer === -1) why = `${endpointText(other)} is not in ${field} (${peers})`;
      else why = `port ${probeText(probe)} is not in ports (${ports})`;
      lines.push(`    ${dir}[${rv.rule.index}] (${at}): ${why}`);
    }
  }
  return lines;
}

export function explainText(v: Verdict): string {
  const dst = 'pod' in v.to ? v.to.pod : undefined;
  const lines = [`${endpointText(v.from)} -> ${endpointText(v.to)} on ${probeText(v.probe)}: ${v.allowed ? 'ALLOWED' : 'DENIED'}`];
  if (v.self) {
    lines.push('  a Pod always reaches itself: NetworkPolicy does not apply to its own traffic (the upstream e2e suite ignores loopback).');
    lines.push('  What the policies would say for another pod with the same labels:');
  }
  for (const note of hostNetworkNotes(v)) lines.push(`  note: ${note}`);
  lines.push(...sideText(v.egress, v.to, dst, v.probe).map((l) => `  ${l}`));
  lines.push(...sideText(v.ingress, v.from, dst, v.probe).map((l) => `  ${l}`));
  return `${lines.join('\n')}\n`;
}

export function exposureJson(list: readonly PodExposure[]): string {
  return `${JSON.stringify({
    pods: list.map((e) => ({
      pod: e.pod.id,
      external: e.external,
      internet: e.internet,
      allNamespaces: e.allNamespaces,
      exposures: e.exposures.map((x) => ({
        kind: x.kind, from: x.from, ...(x.ranges ? { ranges: x.ranges } : {}), internet: x.internet, external: x.external,
        allNamespaces: x.allNamespaces, ports: x.ports,
        ...(x.policy ? { policy: x.policy.id, file: x.policy.file, line: x.rule!.line, rule: x.rule!.name } : {}),
      })),
    })),
  }, null, 2)}\n`;
}

export function exposureText(list: readonly PodExposure[], total: number): string {
  if (list.length === 0) return `No pod is reachable from outside the cluster or from every namespace (${total} pods).\n`;
  const lines: string[] = [];
  for (const e of list) {
    const tags = [e.internet ? 'internet' : e.external ? 'outside the cluster' : '', e.allNamespaces ? 'every namespace' : ''].filter((t) => t !== '');
    lines.push(`${e.pod.id}: reachable from ${tags.join(' and ')}`);
    for (const x of e.exposures) {
      const via = x.policy ? ` — ${x.policy.id} ${x.rule!.name} (${x.policy.file}:${x.rule!.line})` : '';
      const ranges = x.kind === 'ip-block' ? ` [${x.ranges}]` : '';
      lines.push(`  ${x.from}${ranges}; ${x.ports}${via}`);
    }
  }
  const ext = list.filter((e) => e.external).length;
  const all = list.filter((e) => e.allNamespaces).length;
  lines.push('', `${list.length} of ${total} pods exposed: ${ext} to addresses outside the cluster, ${all} to every namespace.`);
  return `${lines.join('\n')}\n`;
}
