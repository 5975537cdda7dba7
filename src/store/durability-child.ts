/**
 * Test helper (not a test): opens the store at argv[2] and inserts batches of argv[4]
 * events for ever (or argv[3] batches), writing `ok <batch>` on stdout after each insert
 * has resolved. The durability test kills it with SIGKILL after some `ok` and checks that
 * every acknowledged batch is in the store, whole.
 *
 *   node dist/store/durability-child.js <spec> <batches|0> <batchSize>
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openStore } from './open.js';
import type { IngestItem } from './types.js';

export const T0 = Date.UTC(2026, 10, 22) * 1000;

export function durabilityItem(batch: number, i: number): IngestItem {
  const auditId = `dur-${batch}-${i}`;
  const time = T0 + batch * 1_000_000 + i;
  return {
    record: {
      auditId, stage: 'ResponseComplete', level: 'Metadata', time, received: time, user: 'writer', groups: ['system:authenticated'],
      impersonatedUser: '', verb: 'update', apiGroup: 'coordination.k8s.io', apiVersion: 'v1', resource: 'leases', subresource: '',
      namespace: 'kube-node-lease', name: `node-${i % 7}`, requestUri: '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/node',
      code: 200, decision: 'allow', sourceIps: ['10.0.1.10'], userAgent: 'kubelet', event: JSON.stringify({ auditID: auditId, batch, i, pad: 'x'.repeat(200) }),
    },
    alerts: i % 10 === 0 ? [{ auditId, stage: 'ResponseComplete', time, rule: 'durability', priority: 'Notice', source: 'k8s_audit', output: `batch ${batch}`, alert: '{}' }] : [],
  };
}

async function main(): Promise<void> {
  const [spec, batchesArg, sizeArg] = process.argv.slice(2);
  const batches = Number(batchesArg) || Infinity;
  const size = Number(sizeArg) || 100;
  const store = await openStore(spec);
  for (let b = 0; b < batches; b++) {
    const items: IngestItem[] = [];
    for (let i = 0; i < size; i++) items.push(durabilityItem(b, i));
    await store.insert(items);
    process.stdout.write(`ok ${b}\n`);
  }
  await store.close();
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  main().catch((e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}
