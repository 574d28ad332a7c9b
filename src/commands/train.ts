import * as tf from '@tensorflow/tfjs-core';
import { describeBackbone, parameterCount } from '../../models/index.js';
import { describeBackend } from '../backend.js';
import { printJsonSummary } from './json-summary.js';
import { progressBar } from './progress.js';
import { TRAIN_DEFAULTS } from '../config/recipes.js';
import { UsageError } from '../errors.js';
import { evaluationSummary, printAnyEvaluation, samplerProgress } from './evaluation-report.js';
import { buildRunParts, processFromConfig } from '../run/build.js';
import { evaluateSource, type Evaluation } from '../run/evaluation.js';
import { DEFAULT_CLASSIFIER_DIR, hasClassifier } from '../classifier/store.js';
import { isImageTargetName, type DataSource } from '../../datasets/index.js';
import { resolveSampling, type SamplingRequest } from '../config/sampling.js';
import { dataRangeOf } from '../../datasets/sources.js';
import type { SamplerSettings } from '../sampler/settings.js';
import { createRunDir, defaultRunDir, hasCheckpoint, readRunConfig, RUN_FILES, writeRunConfig } from '../run/run-dir.js';
import { networkScoreFunction } from '../sampler/score-function.js';
import { TrainingLog } from '../train/log.js';
import { freshState, loadState } from '../train/state.js';
import { runTraining, type TrainingOutcome } from '../train/trainer.js';
import { ReplicaPool } from '../train/replicas/pool.js';
import { shardRows } from '../train/replicas/layout.js';
import { runReplicas } from '../config/replicas.js';
import { resolveRun, resumeRunConfig } from '../config/resolve-run.js';
import type { TrainCommandRequest } from './train-request.js';
import { initReplicaBackend } from './replica-backend.js';
import { trainEvaluationDir } from '../run/evaluation-label.js';
import * as path from 'node:path';
import { backboneConfig, type RunConfig } from '../config/run-config.js';

/** `npm run train`: train (or resume), then sample and evaluate with the EMA weights. */
export async function trainCommand(f: TrainCommandRequest): Promise<number> {
  const startedAt = performance.now();
  let runDir: string;
  let config: RunConfig;
  let source: DataSource | undefined;
  if (f.resume !== undefined) {
    runDir = f.resume;
    const stored = readRunConfig(runDir, '--resume');
    if (!hasCheckpoint(runDir)) {
      throw new UsageError(`--resume ${runDir}: no ${RUN_FILES.checkpoint} in the run directory; nothing to resume`);
    }
    config = resumeRunConfig(stored, f.run, runDir, f);
  } else {
    // Validate everything before touching the disk.
    ({ config, source } = resolveRun(f.run, f.backend ?? TRAIN_DEFAULTS.backend));
    runDir = f.out ?? defaultRunDir(config.target.name, config.process.name);
  }
  // Settled before anything is written; only a resumed run can find its folder taken.
  const evalPlan = f.eval ? evaluationPlan(f, config, runDir) : null;
  if (evalPlan !== null && evalPlan.outDir === null) {
    throw new UsageError(
      `--resume ${runDir}: step ${config.train.steps} was already evaluated with these settings; give a larger --steps, or --no-eval`,
    );
  }

  if (f.classifier !== undefined && !isImageTargetName(config.target.name)) {
    throw new UsageError(`--classifier ${f.classifier}: does not apply to --target ${config.target.name} (image targets only)`);
  }
  const replicas = runReplicas(config.train);
  const backend = await initReplicaBackend(f.backend ?? TRAIN_DEFAULTS.backend, replicas, f.threads);
  console.log(describeBackend(backend));

  const parts = buildRunParts(config, source);
  const state = freshState(parts.backbone, config.train.emaHalfLife);
  const log = new TrainingLog(path.join(runDir, RUN_FILES.log));
  if (f.resume !== undefined) {
    loadState(runDir, state);
    if (config.train.steps < state.step) {
      throw new UsageError(`--steps ${config.train.steps}: the run in ${runDir} is already at step ${state.step}; give a larger --steps`);
    }
    log.truncateAfter(state.step);
    config = { ...config, backend: backend.name, threads: backend.threads };
    writeRunConfig(runDir, config);
    console.log(`resuming ${runDir} at step ${state.step} of ${config.train.steps}`);
  } else {
    config = { ...config, backend: backend.name, threads: backend.threads };
    createRunDir(runDir);
    writeRunConfig(runDir, config);
    console.log(`run directory: ${runDir}`);
  }
  console.log(
    `target ${config.target.name} (d = ${parts.target.dim}), process ${config.process.name}, ` +
      `${describeBackbone(backboneConfig(config.model))}, ` +
      `${config.model.parameterisation} prediction, ${parameterCount(parts.backbone).toLocaleString('en-US')} parameters`,
  );

  const classifierDir = f.classifier ?? DEFAULT_CLASSIFIER_DIR;
  if (f.eval && isImageTargetName(config.target.name) && !hasClassifier(classifierDir)) {
    console.log(`note: no classifier in ${classifierDir} (npm run classifier writes it): the evaluation will write the samples and their grid, without image metrics`);
  }

  let pool: ReplicaPool | undefined;
  if (replicas > 1) {
    const { batchSize } = config.train;
    const shards = Array.from({ length: replicas }, (_, s) => shardRows(batchSize, replicas, s)).map((r) => r.end - r.start);
    console.log(`data-parallel replicas: ${replicas} (batch ${batchSize} split ${shards.join(' + ')}; this thread and ${replicas - 1} worker${replicas > 2 ? 's' : ''})`);
    pool = await ReplicaPool.start(replicas, backend.name, parts.net, batchSize, parts.target.dim, config.train.minSnrGamma !== undefined);
  }

  let interrupted = false;
  const onSigint = () => {
    interrupted = true;
  };
  process.on('SIGINT', onSigint);
  const bar = progressBar('train', config.train.steps, 'steps');
  bar.update(state.step);
  const trainStarted = performance.now();
  const startStep = state.step;
  let outcome: TrainingOutcome;
  try {
    outcome = await runTraining(
      { runDir, config: config.train, target: parts.target, path: parts.path, net: parts.net, state, log, ...(pool ? { pool } : {}) },
      {
        onStep: ({ step, loss }) => bar.update(step, { loss: loss.toFixed(4) }),
        shouldStop: () => interrupted,
      },
    );
  } finally {
    bar.stop();
    process.off('SIGINT', onSigint);
    await pool?.close();
  }
  const trainSeconds = (performance.now() - trainStarted) / 1000;

  if (outcome.status === 'diverged') {
    process.stderr.write(
      `error: the loss became ${outcome.loss} at step ${outcome.step}; training stopped. ` +
        `The last good checkpoint (step ${outcome.lastCheckpointStep}) is kept in ${runDir}` +
        `${outcome.lastCheckpointStep === 0 ? ' (none was written yet)' : ''}; try a smaller --lr.\n`,
    );
    if (f.json) printJsonSummary({ status: 'diverged', run_dir: runDir, backend: backend.name, step: outcome.step, loss: outcome.loss });
    return 3;
  }
  if (outcome.status === 'interrupted') {
    console.log(`interrupted at step ${outcome.step}: checkpoint saved; continue with  npm run train -- --resume ${runDir}`);
    if (f.json) printJsonSummary({ status: 'interrupted', run_dir: runDir, backend: backend.name, step: outcome.step });
    return 130;
  }
  const stepsPerSecond = (outcome.step - startStep) / Math.max(trainSeconds, 1e-9);
  console.log(`trained ${outcome.step} steps in ${trainSeconds.toFixed(1)} s (${stepsPerSecond.toFixed(1)} steps/s)`);

  let evaluation: Evaluation | undefined;
  if (evalPlan !== null && evalPlan.outDir !== null) {
    // Sample with the EMA weights, as `npm run sample` does.
    state.optimiser.copyEmaToParams();
    const { n, settings, outDir } = evalPlan;
    const progress = samplerProgress();
    evaluation = await evaluateSource({
      target: parts.target,
      classifierDir,
      path: parts.path,
      score: networkScoreFunction(parts.net),
      scoreSource: `ema weights at step ${outcome.step}`,
      n,
      sampler: settings,
      outDir,
      onProgress: progress.onProgress,
    });
    progress.stop();
    printAnyEvaluation(evaluation);
  }
  console.log(`run directory: ${runDir}`);
  if (f.json) {
    printJsonSummary({
      status: 'completed',
      run_dir: runDir,
      backend: backend.name,
      replicas,
      steps: outcome.step,
      wall_seconds: (performance.now() - startedAt) / 1000,
      train_seconds: trainSeconds,
      steps_per_second: stepsPerSecond,
      final_loss: log.read().at(-1)?.loss_avg ?? null,
      ...(evaluation ? evaluationSummary(evaluation) : {}),
    });
  }
  tf.disposeVariables();
  return 0;
}

/** The evaluation after training to config.train.steps: its settings and folder (null: both candidate folders hold one already). */
function evaluationPlan(f: TrainCommandRequest, config: RunConfig, runDir: string): EvaluationPlan {
  const d = evalDefaults(config.target.name);
  const target = { name: config.target.name, dataRange: dataRangeOf(config.target.name) };
  const { n, settings } = resolveSampling(
    { n: f.evalSamples ?? d.n, steps: f.evalSteps ?? d.steps, batchSize: f.evalBatchSize ?? d.batchSize },
    { target, process: processFromConfig(config), seed: config.train.seed },
  );
  const outDir = trainEvaluationDir(runDir, n, settings.steps, settings.seed, config.train.steps);
  return { n, settings, outDir };
}

interface EvaluationPlan {
  n: number;
  settings: SamplerSettings;
  outDir: string | null;
}

/** Evaluation defaults: for an image target none of its own (the sampling recipe, as `npm run sample`: the same samples), else train's. */
function evalDefaults(targetName: string): SamplingRequest {
  const D = TRAIN_DEFAULTS;
  if (isImageTargetName(targetName)) return {};
  return { n: D.evalSamples, steps: D.evalSteps, batchSize: D.evalBatchSize };
}
