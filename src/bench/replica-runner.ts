import * as tf from '@tensorflow/tfjs-core';
import type { BackendName } from '../backend.js';
import { createOptimiser } from '../optim/optimiser.js';
import type { ScoreNetwork } from '../score-network.js';
import type { BatchArrays } from '../train/batch.js';
import { ReplicaPool, splitByParameter } from '../train/replicas/pool.js';
import type { StepRunner } from './training.js';

/** What the description of a training case adds for its replicas (nothing for one). */
export const replicasSuffix = (replicas: number): string => (replicas > 1 ? `, ${replicas} replicas` : '');

/**
 * The project's training step as `npm run train -- --replicas R` takes it:
 * the loss and gradients from a replica pool (the batch split over this
 * thread and R - 1 workers), then clipping, Adam and the EMA from host memory.
 * The runner owns `net` (disposed with it).
 */
export async function replicaRunner(net: ScoreNetwork, batches: BatchArrays[], replicas: number): Promise<StepRunner> {
  const backend = tf.getBackend();
  if (backend !== 'wasm' && backend !== 'cpu') throw new RangeError(`replicas need the wasm or cpu backend, not ${backend}`);
  const vars = net.backbone.params.map((p) => p.variable);
  const optimiser = createOptimiser(vars, { emaHalfLife: 250 });
  const pool = await ReplicaPool.start(replicas, backend as BackendName, net, batches[0]!.size, batches[0]!.dim);
  let k = 0;
  return {
    step() {
      k += 1;
      const { loss, grads } = pool.lossAndGradients(net, batches[k % batches.length]!);
      return optimiser.updateFromHost(loss, splitByParameter(grads, vars), 1e-4, 1, k).loss;
    },
    async dispose() {
      await pool.close();
      optimiser.dispose();
      net.backbone.dispose();
    },
  };
}
