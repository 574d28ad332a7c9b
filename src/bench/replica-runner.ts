import * as tf from '@tensorflow/tfjs-core';
import type { BackendName } from '../platform/backend.js';
import { createOptimiser } from '../optim/optimiser.js';
import type { ScoreNetwork } from '../score-network.js';
import type { BatchArrays } from '../train/batch.js';
import { REPLICA_BACKENDS, ReplicaPool } from '../train/replicas/pool.js';
import { replicaTrainStep } from '../train/step.js';
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
  if (!REPLICA_BACKENDS.includes(backend)) throw new RangeError(`replicas need the ${REPLICA_BACKENDS.join(' or ')} backend, not ${backend}`);
  const optimiser = createOptimiser(net.backbone.params.map((p) => p.variable), { emaHalfLife: 250 });
  const pool = await ReplicaPool.start(replicas, backend as BackendName, net, batches[0]!.size, batches[0]!.dim);
  let k = 0;
  return {
    step() {
      k += 1;
      return replicaTrainStep(net, optimiser, pool, batches[k % batches.length]!, 1e-4, 1, k).loss;
    },
    async dispose() {
      await pool.close();
      optimiser.dispose();
      net.backbone.dispose();
    },
  };
}
