import * as tf from '@tensorflow/tfjs-core';
import type { DataSource } from '../../datasets/target.js';
import type { TrainConfig } from '../config/run-config.js';
import { learningRate } from '../optim/schedule.js';
import type { GaussianPath } from '../process/index.js';
import { Rng } from '../rng.js';
import { RNG_STREAMS } from '../rng-streams.js';
import { yieldToEventLoop } from '../yield.js';
import type { ScoreNetwork } from '../score-network.js';
import { minSnrWeights } from '../loss.js';
import { batchTensors, drawBatch, type BatchArrays } from './batch.js';
import { TrainingLog, type LogRecord } from './log.js';
import { saveState, type TrainingState } from './state.js';
import { replicaTrainStep, trainStep } from './step.js';
import type { ReplicaPool } from './replicas/pool.js';
import type { UpdateResult } from '../optim/optimiser.js';
import { withFile } from '../io/fs-errors.js';
import { killAfterStepIfAsked } from './test-hooks.js';

export interface TrainingJob {
  runDir: string;
  config: TrainConfig;
  target: DataSource;
  path: GaussianPath;
  net: ScoreNetwork;
  state: TrainingState;
  log: TrainingLog;
  /** Data-parallel replicas (config.replicas > 1): they compute each step's loss and gradients. */
  pool?: ReplicaPool;
  /** Numbered checkpoints to keep besides checkpoint.bin (1, the default: none). */
  keepCheckpoints?: number;
}

export interface TrainingHooks {
  /** After every update. */
  onStep?(record: { step: number; loss: number; lr: number }): void;
  /** Polled between updates: true stops training with a checkpoint (Ctrl-C). */
  shouldStop?(): boolean;
  /**
   * After every update's log record and checkpoint (`checkpointed`: one was written at this step),
   * awaited: the snapshots and the report's refresh. Its time is left out of the log's steps_per_s.
   */
  afterStep?(step: number, checkpointed: boolean): void | Promise<void>;
}

export type TrainingOutcome =
  | { status: 'completed'; step: number }
  | { status: 'interrupted'; step: number }
  | {
      status: 'diverged';
      step: number;
      loss: number;
      lastCheckpointStep: number;
      /** The batch of data drawn for that step held NaN or Infinity itself (then the learning rate is not the cause). */
      nonFiniteData: boolean;
    };

/** What a failed write leaves: the last checkpoint. */
function keptNote(lastCheckpoint: number): string {
  return lastCheckpoint > 0 ? `the previous checkpoint (step ${lastCheckpoint}) is kept` : 'no checkpoint was written yet';
}

/** Runs a write of the run directory; a failure names its file and what was kept. */
function writing(lastCheckpoint: number, write: () => void): void {
  try {
    write();
  } catch (err) {
    throw withFile(err, undefined, keptNote(lastCheckpoint));
  }
}

/**
 * Runs updates from state.step to config.steps. Randomness is keyed by step,
 * so a run resumed from any checkpoint reproduces the uninterrupted one.
 */
export async function runTraining(job: TrainingJob, hooks: TrainingHooks = {}): Promise<TrainingOutcome> {
  const { config, state } = job;
  let lastCheckpoint = state.step;
  const started = performance.now();
  let intervalStart = performance.now();
  let intervalSteps = 0;
  while (state.step < config.steps) {
    const step = state.step + 1;
    const lr = learningRate(step, config.lr, config.warmupSteps, config.steps, config.lrSchedule);
    const arrays = drawBatch(job.target, job.path, config.batchSize, Rng.derive(config.seed, RNG_STREAMS.train, step), config.tauSampling);
    if (config.minSnrGamma !== undefined) arrays.weight = minSnrWeights(arrays.a, arrays.b, config.minSnrGamma);
    const result = update(job, arrays, lr, step);
    if (!result.finite) {
      return { status: 'diverged', step, loss: result.loss, lastCheckpointStep: lastCheckpoint, nonFiniteData: !arrays.x.every(Number.isFinite) };
    }
    killAfterStepIfAsked(step);
    state.step = step;
    state.accumulator.sum += result.loss;
    state.accumulator.count += 1;
    intervalSteps += 1;
    hooks.onStep?.({ step, loss: result.loss, lr });

    if (step % config.logEvery === 0 || step === config.steps) {
      const now = performance.now();
      const record: LogRecord = {
        step,
        time: new Date().toISOString(),
        loss: result.loss,
        loss_avg: state.accumulator.sum / state.accumulator.count,
        lr,
        grad_norm: result.gradNorm,
        steps_per_s: (1000 * intervalSteps) / Math.max(1e-9, now - intervalStart),
        elapsed_s: (now - started) / 1000,
        rss_mb: process.memoryUsage.rss() / 2 ** 20,
        tensors: tf.memory().numTensors,
      };
      writing(lastCheckpoint, () => job.log.append(record));
      state.accumulator = { sum: 0, count: 0 };
      intervalStart = now;
      intervalSteps = 0;
    }
    const checkpointed = step % config.checkpointEvery === 0 || step === config.steps;
    if (checkpointed) {
      writing(lastCheckpoint, () => saveState(job.runDir, state, job.keepCheckpoints));
      lastCheckpoint = step;
    }
    if (hooks.afterStep) {
      const hookStart = performance.now();
      await hooks.afterStep(step, checkpointed);
      intervalStart += performance.now() - hookStart;
    }
    await yieldToEventLoop();
    if (hooks.shouldStop?.() && state.step < config.steps) {
      writing(lastCheckpoint, () => saveState(job.runDir, state, job.keepCheckpoints));
      return { status: 'interrupted', step: state.step };
    }
  }
  return { status: 'completed', step: state.step };
}

/** One update on `arrays`: in this thread, or with the gradients from the replica pool. */
function update(job: TrainingJob, arrays: BatchArrays, lr: number, step: number): UpdateResult {
  const { config, state, net, pool } = job;
  if (pool !== undefined) return replicaTrainStep(net, state.optimiser, pool, arrays, lr, config.gradClip, step);
  const batch = batchTensors(arrays);
  const result = trainStep(net, state.optimiser, batch, lr, config.gradClip, step);
  tf.dispose(batch as unknown as tf.Tensor[]);
  return result;
}
