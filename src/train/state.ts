import type { Backbone } from '../../models/index.js';
import { CHECKPOINT_FILE, readCheckpoint, restoreGroups, writeCheckpoint, type TensorGroups } from '../checkpoint.js';
import { Adam } from '../optim/adam.js';
import { Ema } from '../optim/ema.js';
import type { Optimisers } from './step.js';
import * as path from 'node:path';

/** Running loss accumulation between log records; kept in the checkpoint so resumed logs match. */
export interface LossAccumulator {
  sum: number;
  count: number;
}

export interface TrainingState extends Optimisers {
  backbone: Backbone;
  /** Optimiser updates done so far. */
  step: number;
  accumulator: LossAccumulator;
}

export function freshState(backbone: Backbone, emaHalfLife: number): TrainingState {
  const vars = backbone.params.map((p) => p.variable);
  return { backbone, adam: new Adam(vars), ema: new Ema(vars, emaHalfLife), step: 0, accumulator: { sum: 0, count: 0 } };
}

function groups(state: TrainingState): TensorGroups {
  const names = state.backbone.params.map((p) => p.name);
  const named = (list: import('@tensorflow/tfjs-core').Variable[]) =>
    list.map((variable, i) => ({ name: names[i]!, variable }));
  return {
    params: state.backbone.params,
    ema: named(state.ema.shadow),
    adam_m: named(state.adam.m),
    adam_v: named(state.adam.v),
  };
}

export function checkpointPath(runDir: string): string {
  return path.join(runDir, CHECKPOINT_FILE);
}

export function saveState(runDir: string, state: TrainingState): void {
  writeCheckpoint(checkpointPath(runDir), state.step, groups(state), { accumulator: state.accumulator });
}

/** Restores every tensor of a fresh state from the run's checkpoint. */
export function loadState(runDir: string, state: TrainingState): void {
  const file = checkpointPath(runDir);
  const ckpt = readCheckpoint(file);
  restoreGroups(ckpt, groups(state), file);
  state.step = ckpt.header.step;
  const acc = ckpt.header.meta['accumulator'] as LossAccumulator | undefined;
  state.accumulator = acc ? { ...acc } : { sum: 0, count: 0 };
}

/** Loads only the weights a sampler needs (EMA by default). */
export function loadWeights(runDir: string, backbone: Backbone, which: 'ema' | 'params'): number {
  const file = checkpointPath(runDir);
  const ckpt = readCheckpoint(file);
  restoreGroups(ckpt, { [which]: backbone.params }, file);
  return ckpt.header.step;
}
