import * as path from 'node:path';
import type { DataSource } from '../../datasets/target.js';
import { DEFAULT_CLASSIFIER_DIR } from '../classifier/store.js';
import type { TrainConfig } from '../config/run-config.js';
import type { SamplerProgress } from '../sampler/reverse-sde.js';
import type { SamplerSettings } from '../sampler/settings.js';
import { networkScoreFunction, type ScoreFunction } from '../sampler/score-function.js';
import { TrainingLog, type EvaluationRecord } from '../train/log.js';
import type { ReplicaPool } from '../train/replicas/pool.js';
import { freshState, loadState, type TrainingState } from '../train/state.js';
import { runTraining, type TrainingHooks, type TrainingOutcome } from '../train/trainer.js';
import type { RunParts } from './build.js';
import { evaluateSource, type Evaluation } from './evaluation.js';
import { RUN_FILES } from './run-dir.js';

/**
 * Train -> EMA -> evaluate, the orchestration `train` and the experiment's cells share:
 * openTrainingRun, then trainRun, then (when training completed) evaluateEma. Each step returns
 * data; progress goes through callbacks, and printing is the caller's.
 */

/** A run ready to train: its parts, its training state (fresh, or its checkpoint's) and its log. */
export interface TrainingRun<T extends DataSource = DataSource> {
  /** The run directory: checkpoint, log and samples go there. */
  dir: string;
  train: TrainConfig;
  parts: RunParts<T>;
  state: TrainingState;
  log: TrainingLog;
}

/**
 * Opens the run in `dir` for training: a fresh state, or with `resume` the state its checkpoint holds
 * (checkpoint.bin, or the checkpoint file `resume` names).
 */
export function openTrainingRun<T extends DataSource>(dir: string, train: TrainConfig, parts: RunParts<T>, resume: boolean | string = false): TrainingRun<T> {
  const state = freshState(parts.backbone, train.emaHalfLife);
  const log = new TrainingLog(path.join(dir, RUN_FILES.log));
  if (typeof resume === 'string') loadState(dir, state, resume);
  else if (resume) loadState(dir, state);
  return { dir, train, parts, state, log };
}

export interface TrainRunOptions extends TrainingHooks {
  /** Data-parallel replicas, already started (train.replicas > 1). */
  pool?: ReplicaPool;
  /** Numbered checkpoints to keep besides checkpoint.bin (default 1: none). */
  keepCheckpoints?: number;
}

/** Trains from the state's step to train.steps, with checkpoints and log records in the run directory. */
export function trainRun(run: TrainingRun, options: TrainRunOptions = {}): Promise<TrainingOutcome> {
  const { pool, keepCheckpoints, ...hooks } = options;
  const { parts } = run;
  return runTraining(
    {
      runDir: run.dir,
      config: run.train,
      target: parts.target,
      path: parts.path,
      net: parts.net,
      state: run.state,
      log: run.log,
      ...(pool ? { pool } : {}),
      ...(keepCheckpoints !== undefined ? { keepCheckpoints } : {}),
    },
    hooks,
  );
}

export interface EmaEvaluationRequest {
  n: number;
  sampler: SamplerSettings;
  outDir: string;
  /** The classifier of the image metrics (image data only; default DEFAULT_CLASSIFIER_DIR). */
  classifierDir?: string;
  onProgress?: SamplerProgress;
}

export interface EmaEvaluation {
  /** The network's score with its EMA weights: what was sampled. */
  score: ScoreFunction;
  /** "ema weights at step N", as metrics.json records it. */
  scoreSource: string;
  evaluation: Evaluation;
}

/**
 * Puts the EMA weights into the network (as `npm run sample` samples with them), then samples at
 * these settings and evaluates: samples.npy, the picture and metrics.json in outDir.
 */
export async function evaluateEma(run: TrainingRun, step: number, req: EmaEvaluationRequest): Promise<EmaEvaluation> {
  run.state.optimiser.copyEmaToParams();
  const score = networkScoreFunction(run.parts.net);
  const scoreSource = `ema weights at step ${step}`;
  const evaluation = await evaluateSource({
    target: run.parts.target,
    classifierDir: req.classifierDir ?? DEFAULT_CLASSIFIER_DIR,
    path: run.parts.path,
    score,
    scoreSource,
    n: req.n,
    sampler: req.sampler,
    outDir: req.outDir,
    // The run is locked: an evaluation of this step left by a run cut off before recording it is redone.
    replaceOutDir: true,
    ...(req.onProgress ? { onProgress: req.onProgress } : {}),
  });
  run.log.append(evaluationRecord(step, evaluation));
  return { score, scoreSource, evaluation };
}

/** The evaluation as a log.jsonl record: its metrics beside their floors (image metrics: the FID floor). */
function evaluationRecord(step: number, e: Evaluation): EvaluationRecord {
  const base = { kind: 'evaluation', step, time: new Date().toISOString(), samples_dir: e.result.outDir } as const;
  if (e.kind === 'points') return { ...base, metrics: { ...e.result.metrics }, floor: { ...e.result.floor } };
  const m = e.result.metrics;
  return { ...base, metrics: m ? { ...m } : null, floor: m ? { fid: m.fid_floor } : null };
}
