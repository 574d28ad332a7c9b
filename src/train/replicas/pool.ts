import { Worker } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import type { BackboneConfig } from '../../../models/index.js';
import type { BackendName } from '../../platform/backend.js';
import { moduleEntry, tsxApi } from '../../platform/module-entry.js';
import type { Parameterisation } from '../../parameterisation.js';
import type { ScoreNetwork } from '../../score-network.js';
import type { BatchArrays } from '../batch.js';
import { allocateBuffers, COMMAND, readError, shardRows, slot, STATUS, viewBuffers, type LayoutSpec, type SharedViews } from './layout.js';
import { readParams, shardLossAndGradients } from './shard.js';

/** What a replica needs to rebuild the network (its weights come from shared memory every step). */
export interface ReplicaNetworkSpec {
  backbone: BackboneConfig;
  parameterisation: Parameterisation;
  dataStd: number;
}

/** Backends replicas run on: each replica is a worker thread with its own TensorFlow.js on the CPU. */
export const REPLICA_BACKENDS: readonly string[] = ['wasm', 'cpu'];

export class ReplicaError extends Error {}

/** A worker that does not answer within this long is taken for dead. */
const STEP_TIMEOUT_MS = 10 * 60 * 1000;

/**
 * In a checkout the workers run TypeScript: start them through tsx's loader,
 * as the commands themselves are started. The installed package runs the compiled worker.
 */
function startWorker(workerData: unknown): Worker {
  const { url, typescript } = moduleEntry('./worker', import.meta.url);
  if (!typescript) return new Worker(url, { workerData });
  const bootstrap = `import(${JSON.stringify(tsxApi())}).then(({ register }) => { register(); return import(${JSON.stringify(url.href)}); })`;
  return new Worker(bootstrap, { eval: true, workerData });
}

/**
 * Data-parallel gradients over R replicas: the batch is split into R
 * contiguous shards; shard 0 is computed here, the others by R - 1 worker
 * threads, each with its own TensorFlow.js, at the same time. The loss and
 * gradients are the shard results weighted by shard size, i.e. exactly the
 * full-batch mean up to float32 summation order, which depends on R only:
 * runs are reproducible for a given R (it is part of the run's config).
 */
export class ReplicaPool {
  private readonly views: SharedViews;
  private readonly own: Float32Array;
  private readonly total: Float32Array;

  private constructor(
    private readonly spec: LayoutSpec,
    views: SharedViews,
    private readonly workers: Worker[],
  ) {
    this.views = views;
    this.own = new Float32Array(spec.paramCount);
    this.total = new Float32Array(spec.paramCount);
  }

  /** `weighted`: the batches will carry per-example loss weights (min-SNR). */
  static async start(replicas: number, backend: BackendName, net: ScoreNetwork, batchSize: number, dim: number, weighted = false): Promise<ReplicaPool> {
    const paramCount = net.backbone.params.reduce((n, p) => n + p.variable.size, 0);
    const spec: LayoutSpec = { workers: replicas, batchSize, dim, paramCount, weighted };
    const buffers = allocateBuffers(spec);
    const network: ReplicaNetworkSpec = { backbone: net.backbone.config, parameterisation: net.parameterisation, dataStd: net.dataStd };
    const workers: Worker[] = [];
    try {
      for (let index = 1; index < replicas; index++) {
        const worker = startWorker({ index, backend, network, spec, buffers });
        workers.push(worker);
        await new Promise<void>((resolve, reject) => {
          worker.once('message', () => resolve());
          worker.once('error', (err) => reject(new ReplicaError(`replica ${index} failed to start: ${err.message}`)));
          worker.once('exit', (code) => reject(new ReplicaError(`replica ${index} exited while starting (code ${code})`)));
        });
        // Idle replicas must not keep the process alive.
        worker.unref();
      }
    } catch (err) {
      await Promise.all(workers.map((w) => w.terminate()));
      throw err;
    }
    return new ReplicaPool(spec, viewBuffers(buffers, spec), workers);
  }

  get replicas(): number {
    return this.spec.workers;
  }

  /**
   * Loss and gradients of `batch` at the network's current weights, as one
   * concatenated array in parameter order (valid until the next call).
   */
  lossAndGradients(net: ScoreNetwork, batch: BatchArrays): { loss: number; grads: Float32Array } {
    const { views, spec } = this;
    if (batch.size !== spec.batchSize || batch.dim !== spec.dim) {
      throw new RangeError(`replica batch is ${batch.size} x ${batch.dim}, the pool was set up for ${spec.batchSize} x ${spec.dim}`);
    }
    if ((batch.weight !== undefined) !== spec.weighted) {
      throw new RangeError(`replica batch ${spec.weighted ? 'lacks' : 'carries'} loss weights; the pool was set up ${spec.weighted ? 'with' : 'without'} them`);
    }
    readParams(net.backbone.params.map((p) => p.variable), views.params);
    views.x.set(batch.x);
    views.eps.set(batch.eps);
    views.tau.set(batch.tau);
    views.a.set(batch.a);
    views.b.set(batch.b);
    if (batch.weight !== undefined) views.weight.set(batch.weight);
    for (let w = 1; w < spec.workers; w++) {
      const s = slot(w);
      Atomics.store(views.control, s.done, 0);
      Atomics.store(views.control, s.command, COMMAND.step);
      Atomics.notify(views.control, s.command);
    }
    const { start, end } = shardRows(spec.batchSize, spec.workers, 0);
    const ownLoss = shardLossAndGradients(net, views, spec.dim, start, end, this.own, spec.weighted);

    let loss = (ownLoss * (end - start)) / spec.batchSize;
    const weights = [(end - start) / spec.batchSize];
    const blocks = [this.own];
    for (let w = 1; w < spec.workers; w++) {
      const s = slot(w);
      if (Atomics.wait(views.control, s.done, 0, STEP_TIMEOUT_MS) === 'timed-out') {
        throw new ReplicaError(`replica ${w} did not answer within ${STEP_TIMEOUT_MS / 60000} minutes`);
      }
      if (Atomics.load(views.control, s.status) !== STATUS.ok) throw new ReplicaError(readError(views.error));
      const rows = shardRows(spec.batchSize, spec.workers, w);
      const weight = (rows.end - rows.start) / spec.batchSize;
      loss += views.losses[w]! * weight;
      weights.push(weight);
      blocks.push(views.grads(w));
    }
    const total = this.total;
    for (let j = 0; j < total.length; j++) {
      let sum = 0;
      for (let r = 0; r < blocks.length; r++) sum += weights[r]! * blocks[r]![j]!;
      total[j] = sum;
    }
    return { loss, grads: total };
  }

  async close(): Promise<void> {
    for (let w = 1; w < this.spec.workers; w++) {
      Atomics.store(this.views.control, slot(w).command, COMMAND.quit);
      Atomics.notify(this.views.control, slot(w).command);
    }
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

/** Splits concatenated gradients into one array per parameter (views, no copies). */
export function splitByParameter(grads: Float32Array, vars: tf.Variable[]): Float32Array[] {
  let offset = 0;
  return vars.map((v) => {
    const part = grads.subarray(offset, offset + v.size);
    offset += v.size;
    return part;
  });
}
