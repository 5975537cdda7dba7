/**
 * A fixed pool of worker threads that run the engine over batches of units. Parsing YAML
 * is the cost of a scan, so spreading documents over cores scales it near-linearly.
 */
import { Worker } from 'node:worker_threads';
import type { InputSource, Unit } from '../model/index.js';

/** Work for one worker: units the main thread has read, or a whole file to read itself. */
export type Task = { kind: 'units'; units: Unit[] } | { kind: 'file'; input: InputSource };
import type { EngineOptions, UnitResult } from './engine.js';

export interface BatchReply {
  id: number;
  /** The task's units' results, as one (see Engine.runUnits). */
  result: UnitResult;
  /** Indexes (in config.ignore) of expired ignores that matched findings. */
  expiredMatched: number[];
  error?: string;
}

interface Slot {
  worker: Worker;
  /** Tasks sent and not yet answered. */
  inflight: number;
}

/**
 * Tasks a worker may hold at once: one running and one queued, so it never waits for the
 * main thread (which may be busy running a task of its own) to hand it the next.
 */
const DEPTH = 2;

export class WorkerPool {
  private readonly slots: Slot[] = [];
  private readonly waiting: Array<() => void> = [];
  private readonly pending = new Map<number, { resolve: (r: BatchReply) => void; reject: (e: Error) => void }>();
  private nextId = 0;

  constructor(size: number, opts: EngineOptions) {
    const url = new URL('./worker.js', import.meta.url);
    for (let i = 0; i < size; i++) {
      const worker = new Worker(url, { workerData: { opts } });
      const slot: Slot = { worker, inflight: 0 };
      worker.on('message', (reply: BatchReply) => this.settle(slot, reply));
      worker.on('error', (err) => this.failAll(err));
      this.slots.push(slot);
    }
  }

  /** Runs one task on the next free worker; waits for one to be free first. */
  async run(task: Task): Promise<BatchReply> {
    let slot = this.freest();
    while (slot.inflight >= DEPTH) {
      await new Promise<void>((r) => this.waiting.push(r));
      slot = this.freest();
    }
    slot.inflight++;
    const id = this.nextId++;
    const done = new Promise<BatchReply>((resolve, reject) => this.pending.set(id, { resolve, reject }));
    slot.worker.postMessage({ id, task });
    return done;
  }

  /** True when a task given now would start at once. */
  get hasIdle(): boolean {
    return this.freest().inflight < DEPTH;
  }

  private freest(): Slot {
    return this.slots.reduce((a, b) => (b.inflight < a.inflight ? b : a));
  }

  /** Resolves when a worker is free, so a caller can stop reading input until then. */
  async ready(): Promise<void> {
    while (this.freest().inflight >= DEPTH) await new Promise<void>((r) => this.waiting.push(r));
  }

  async close(): Promise<void> {
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }

  private settle(slot: Slot, reply: BatchReply): void {
    slot.inflight--;
    const p = this.pending.get(reply.id);
    this.pending.delete(reply.id);
    this.waiting.shift()?.();
    if (!p) return;
    if (reply.error) p.reject(new Error(reply.error));
    else p.resolve(reply);
  }

  private failAll(err: Error): void {
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }
}
