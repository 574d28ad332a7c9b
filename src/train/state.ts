import type { Backbone } from '../../models/index.js';
import { CHECKPOINT_FILE, readCheckpoint, restoreGroups, variableArrays, writeCheckpoint, type ArrayGroups } from '../checkpoint.js';
import { createOptimiser, type Optimiser, type OptimiserPlacement } from '../optim/optimiser.js';
import * as path from 'node:path';
import { checkpointKillHook } from './test-hooks.js';
import { keepNumberedCheckpoint } from './numbered-checkpoints.js';

/** Running loss accumulation between log records; kept in the checkpoint so resumed logs match. */
export interface LossAccumulator {
  sum: number;
  count: number;
}

export interface TrainingState {
  backbone: Backbone;
  optimiser: Optimiser;
  /** Optimiser updates done so far. */
  step: number;
  accumulator: LossAccumulator;
}

/** `placement` defaults to the one suited to the active backend (host memory for wasm and cpu). */
export function freshState(backbone: Backbone, emaHalfLife: number, placement?: OptimiserPlacement): TrainingState {
  const vars = backbone.params.map((p) => p.variable);
  const optimiser = createOptimiser(vars, { emaHalfLife, ...(placement ? { placement } : {}) });
  return { backbone, optimiser, step: 0, accumulator: { sum: 0, count: 0 } };
}

function groups(state: TrainingState): ArrayGroups {
  const names = state.backbone.params.map((p) => p.name);
  return { params: variableArrays(state.backbone.params), ...state.optimiser.stateArrays(names) };
}

export function checkpointPath(runDir: string): string {
  return path.join(runDir, CHECKPOINT_FILE);
}

/** Writes checkpoint.bin; with `keep` > 1 also keeps it as checkpoint-<step>.bin, the last `keep` of those. */
export function saveState(runDir: string, state: TrainingState, keep = 1): void {
  const halfway = checkpointKillHook(state.step);
  writeCheckpoint(checkpointPath(runDir), state.step, groups(state), { accumulator: state.accumulator }, halfway ? { halfway } : {});
  keepNumberedCheckpoint(runDir, state.step, keep);
}

/** Restores every tensor of a fresh state from the run's checkpoint (or the checkpoint file given). */
export function loadState(runDir: string, state: TrainingState, file = checkpointPath(runDir)): void {
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
  restoreGroups(ckpt, { [which]: variableArrays(backbone.params) }, file);
  return ckpt.header.step;
}
