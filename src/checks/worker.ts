// Worker thread entry: runs the engine over the tasks the pool sends.
import { parentPort, workerData } from 'node:worker_threads';
import { emptyResult, Engine, runTask, type EngineOptions } from './engine.js';
import type { BatchReply, Task } from './pool.js';

const opts = (workerData as { opts: EngineOptions }).opts;
// Facts go to the main thread as copies: lines are looked up here, while the documents are at hand.
const engine = new Engine({ ...opts, keepLinesFor: 0, postsResults: true });

parentPort!.on('message', (msg: { id: number; task: Task }) => {
  runTask(engine, msg.task).then(
    (result) => {
      const matched = new Set(engine.suppressor.expiredMatched());
      const expiredMatched = opts.config.ignore.flatMap((r, i) => (matched.has(r) ? [i] : []));
      parentPort!.postMessage({ id: msg.id, result, expiredMatched } satisfies BatchReply);
    },
    (err: unknown) => {
      parentPort!.postMessage({ id: msg.id, result: emptyResult(), expiredMatched: [], error: err instanceof Error ? err.message : String(err) } satisfies BatchReply);
    },
  );
});
