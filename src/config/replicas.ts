import { UsageError } from '../errors.js';
import { REPLICA_BACKENDS } from '../train/replicas/pool.js';

/** Most data-parallel replicas (worker threads, each with its own TensorFlow.js). */
export const MAX_REPLICAS = 8;

/**
 * Refuses replicas on a backend they cannot run on: `backend` as given
 * (auto passes, it is checked again once resolved) or, with
 * `resolvedFromAuto`, what auto chose.
 */
export function checkReplicaBackend(replicas: number, backend: string, resolvedFromAuto = false): void {
  if (replicas > 1 && backend !== 'auto' && !REPLICA_BACKENDS.includes(backend)) {
    const chosen = resolvedFromAuto ? `--backend auto chose ${backend}` : `--backend ${backend} was given`;
    throw new UsageError(
      `--replicas ${replicas}: needs --backend ${REPLICA_BACKENDS.join(' or ')} (each replica is a worker thread with its own TensorFlow.js on the CPU); ${chosen}`,
    );
  }
}

/** Each replica takes at least one row of the batch. */
export function checkReplicaBatch(replicas: number, batchSize: number): void {
  if (replicas > batchSize) {
    throw new UsageError(`--replicas ${replicas}: more than --batch-size ${batchSize}; accepted: 1 to ${batchSize} (each replica takes at least one row of the batch)`);
  }
}

/** The replica count of a run (absent in single-replica runs and in runs of older versions). */
export const runReplicas = (train: { replicas?: number }): number => train.replicas ?? 1;
