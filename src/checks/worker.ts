// Worker thread entry: runs the engine over the batches the pool sends.
import { parentPort, workerData } from 'node:worker_threads';
import type { Unit } from '../model/index.js';
import { Engine, type EngineOptions } from './engine.js';
import type { BatchReply } from './pool.js';

const opts = (workerData as { opts: EngineOptions }).opts;
const engine = new Engine(opts);

parentPort!.on('message', (msg: { id: number; units: Unit[] }) => {
  let reply: BatchReply;
  try {
    const results = msg.units.map((u) => engine.runUnit(u));
    const matched = new Set(engine.suppressor.expiredMatched());
    const expiredMatched = opts.config.ignore.flatMap((r, i) => (matched.has(r) ? [i] : []));
    reply = { id: msg.id, results, expiredMatched };
  } catch (err) {
    reply = { id: msg.id, results: [], expiredMatched: [], error: err instanceof Error ? err.message : String(err) };
  }
  parentPort!.postMessage(reply);
});
