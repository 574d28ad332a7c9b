import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { isImageTargetName, type DataSource } from '../../datasets/index.js';
import { dataRangeOf } from '../../datasets/sources.js';
import { describeBackbone, parameterCount } from '../../models/index.js';
import { describeBackend, type ActiveBackend } from '../platform/backend.js';
import { DEFAULT_CLASSIFIER_DIR, hasClassifier } from '../classifier/store.js';
import { TRAIN_DEFAULTS } from '../config/recipes.js';
import { runReplicas } from '../config/replicas.js';
import { resolveRun, resumeRunConfig } from '../config/resolve-run.js';
import { backboneConfig, type RunConfig } from '../config/run-config.js';
import { checkSamplingMemory } from '../config/memory-estimate.js';
import { resolveSampling, type SamplingRequest } from '../config/sampling.js';
import { UsageError } from '../errors.js';
import { checkOutPlace } from '../io/out-place.js';
import { buildRunParts, processFromConfig } from '../run/build.js';
import { trainEvaluationDir } from '../run/evaluation-label.js';
import type { Evaluation } from '../run/evaluation.js';
import { checkNewRunDir, createRunDir, defaultRunDir, hasCheckpoint, lockRunDir, readRunConfig, RUN_FILES, writeRunConfig } from '../run/run-dir.js';
import { evaluateEma, openTrainingRun, trainRun, type TrainingRun } from '../run/training-run.js';
import type { SamplerSettings } from '../sampler/settings.js';
import { dropNumberedCheckpointsAfter, numberedCheckpointFile, numberedCheckpoints, placeFileAtomically } from '../train/numbered-checkpoints.js';
import { shardRows } from '../train/replicas/layout.js';
import { ReplicaPool } from '../train/replicas/pool.js';
import type { TrainingOutcome } from '../train/trainer.js';
import { writeRunReport } from '../report/run-report.js';
import { dropSnapshotsAfter } from '../run/snapshot-files.js';
import { snapshotPlan, writeSnapshot } from '../run/snapshot.js';
import { evaluationSummary, printAnyEvaluation, samplerProgress } from './evaluation-report.js';
import { printJsonSummary } from './json-summary.js';
import { progressBar } from './progress.js';
import { initReplicaBackend } from './replica-backend.js';
import type { TrainCommandRequest } from './train-request.js';

/** `npm run train`: train (or resume), then sample and evaluate with the EMA weights. */
export async function trainCommand(f: TrainCommandRequest): Promise<number> {
  const startedAt = performance.now();
  // Everything is validated before the disk is touched.
  const resolved = resolveOrResume(f);
  const evalPlan = f.eval ? planEvaluation(f, resolved) : null;
  checkClassifierFlag(f, resolved.config);
  const backend = await prepareBackend(f, resolved.config);
  // The run directory is locked from here to the end: a second train or sample of it is refused.
  const lock = resolved.resume !== false ? lockRunDir(resolved.runDir, 'npm run train -- --resume') : createRunDir(resolved.runDir);
  try {
    const opened = openRun(f, resolved, backend);
    const trained = await train(opened, f);
    if (trained.outcome.status !== 'completed') {
      await refreshReport(opened.run.dir);
      return reportStopped(f, opened, trained.outcome);
    }
    const evaluation = evalPlan !== null ? await evaluate(opened, trained.outcome.step, evalPlan) : undefined;
    const page = await refreshReport(opened.run.dir);
    if (page !== null) console.log(`report: ${page}`);
    return report(f, opened, trained, evaluation, startedAt, page);
  } finally {
    lock.release();
  }
}

/** The run's config and directory: a new run resolved from the request, or the stored one resumed. */
interface ResolvedRun {
  runDir: string;
  config: RunConfig;
  /** The data a new run's config was resolved from (a resumed run reads its own). */
  source?: DataSource;
  /** false: a new run; true: from checkpoint.bin; a file: from that numbered checkpoint (--from-step). */
  resume: boolean | string;
}

/**
 * A run to resume may have no checkpoint yet (killed, or stopped by a NaN, before its first): it
 * starts again from step 0 with its recorded config, which gives what an uninterrupted run gives.
 */
function resolveOrResume(f: TrainCommandRequest): ResolvedRun {
  if (f.fromStep !== undefined && f.resume === undefined) {
    throw new UsageError(`--from-step ${f.fromStep}: goes with --resume DIR (the run whose checkpoint to continue from)`);
  }
  if (f.resume !== undefined) {
    const runDir = f.resume;
    const stored = readRunConfig(runDir, '--resume');
    checkOutPlace(runDir, '--resume');
    const resume = f.fromStep === undefined ? true : numberedCheckpointOf(runDir, f.fromStep);
    return { runDir, config: resumeRunConfig(stored, f.run, runDir, f), resume };
  }
  const { config, source } = resolveRun(f.run, f.backend ?? TRAIN_DEFAULTS.backend);
  const runDir = f.out ?? defaultRunDir(config.target.name, config.process.name);
  checkNewRunDir(runDir);
  return { runDir, config, source, resume: false };
}

/** The numbered checkpoint of --from-step, or a one-line error listing the steps kept. */
function numberedCheckpointOf(runDir: string, step: number): string {
  const kept = numberedCheckpoints(runDir);
  const found = kept.find((c) => c.step === step);
  if (found) return found.file;
  const steps = kept.length > 0 ? `the steps kept: ${kept.map((c) => c.step).join(', ')}` : 'the run keeps none (train with --keep-checkpoints K to keep them)';
  throw new UsageError(`--from-step ${step}: no ${numberedCheckpointFile(step)} in ${runDir}; ${steps}`);
}

/** The evaluation after training to config.train.steps: its settings and folder. */
interface EvaluationPlan {
  n: number;
  settings: SamplerSettings;
  outDir: string;
}

/** Settled before anything is written; only a resumed run can find both candidate folders taken. */
function planEvaluation(f: TrainCommandRequest, { config, runDir }: ResolvedRun): EvaluationPlan {
  const d = evalDefaults(config.target.name);
  const target = { name: config.target.name, dataRange: dataRangeOf(config.target.name) };
  const { n, settings } = resolveSampling(
    { n: f.evalSamples ?? d.n, steps: f.evalSteps ?? d.steps, batchSize: f.evalBatchSize ?? d.batchSize },
    { target, process: processFromConfig(config), seed: config.train.seed },
  );
  const image = isImageTargetName(config.target.name);
  checkSamplingMemory(backboneConfig(config.model), n, settings.batchSize, image, { n: '--eval-samples', batchSize: '--eval-batch-size' });
  const outDir = trainEvaluationDir(runDir, n, settings.steps, settings.seed, config.train.steps);
  if (outDir === null) {
    throw new UsageError(
      `--resume ${runDir}: step ${config.train.steps} was already evaluated with these settings; give a larger --steps, or --no-eval`,
    );
  }
  return { n, settings, outDir };
}

/** Evaluation defaults: for an image target none of its own (the sampling recipe, as `npm run sample`: the same samples), else train's. */
function evalDefaults(targetName: string): SamplingRequest {
  const D = TRAIN_DEFAULTS;
  if (isImageTargetName(targetName)) return {};
  return { n: D.evalSamples, steps: D.evalSteps, batchSize: D.evalBatchSize };
}

function checkClassifierFlag(f: TrainCommandRequest, config: RunConfig): void {
  if (f.classifier !== undefined && !isImageTargetName(config.target.name)) {
    throw new UsageError(`--classifier ${f.classifier}: does not apply to --target ${config.target.name} (image targets only)`);
  }
  // One asked for by name must be there before training, not found missing after it.
  if (f.classifier !== undefined && f.eval && !hasClassifier(f.classifier)) {
    throw new UsageError(`--classifier ${f.classifier}: no classifier there (classifier.json is missing); run npm run classifier -- --out ${f.classifier} first, or --no-eval`);
  }
}

/** The backend, able to host the run's replicas. */
async function prepareBackend(f: TrainCommandRequest, config: RunConfig): Promise<ActiveBackend> {
  const backend = await initReplicaBackend(f.backend ?? TRAIN_DEFAULTS.backend, runReplicas(config.train), f.threads);
  console.log(describeBackend(backend));
  return backend;
}

/** A run open for training, recorded on disk with the backend it runs on. */
interface OpenedRun {
  config: RunConfig;
  run: TrainingRun;
  backend: ActiveBackend;
  replicas: number;
  classifierDir: string;
}

/** Builds the run, loads its checkpoint (resume), records config.json in its (locked) directory, and says what it trains. */
function openRun(f: TrainCommandRequest, resolved: ResolvedRun, backend: ActiveBackend): OpenedRun {
  const { runDir } = resolved;
  const parts = buildRunParts(resolved.config, resolved.source);
  // --from-step: that numbered checkpoint; --resume: checkpoint.bin, or step 0 when the run stopped before its first.
  const fromCheckpoint = typeof resolved.resume === 'string' ? resolved.resume : resolved.resume && hasCheckpoint(runDir);
  const run = openTrainingRun(runDir, resolved.config.train, parts, fromCheckpoint);
  const config = { ...resolved.config, backend: backend.name, threads: backend.threads };
  if (resolved.resume !== false && fromCheckpoint === false) {
    console.log(`note: ${runDir} has no ${RUN_FILES.checkpoint} (it stopped before its first checkpoint); starting it from step 0 with its recorded config`);
  }
  if (resolved.resume) {
    if (config.train.steps < run.state.step) {
      throw new UsageError(`--steps ${config.train.steps}: the run in ${runDir} is already at step ${run.state.step}; give a larger --steps`);
    }
    if (typeof resolved.resume === 'string') {
      // Back to an earlier checkpoint: it becomes the latest first, so a kill from here on leaves a run that resumes consistently.
      placeFileAtomically(resolved.resume, path.join(runDir, RUN_FILES.checkpoint));
    }
    const logNote = run.log.truncateAfter(run.state.step);
    if (logNote !== null) console.log(logNote);
    const dropped = dropNumberedCheckpointsAfter(runDir, run.state.step);
    // Snapshots past the checkpoint are drawn again as training gets there (with --snapshot-every).
    dropSnapshotsAfter(runDir, run.state.step);
    writeRunConfig(runDir, config);
    console.log(`resuming ${runDir} at step ${run.state.step} of ${config.train.steps}`);
    if (typeof resolved.resume === 'string') {
      console.log(`from ${path.basename(resolved.resume)}: the log records after step ${run.state.step} were dropped${dropped.length > 0 ? `, and the numbered checkpoint${dropped.length > 1 ? 's' : ''} of step${dropped.length > 1 ? 's' : ''} ${dropped.join(', ')}` : ''}`);
    }
  } else {
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
  return { config, run, backend, replicas: runReplicas(config.train), classifierDir };
}

interface Trained {
  outcome: TrainingOutcome;
  trainSeconds: number;
  stepsPerSecond: number;
}

/**
 * Rewrites the run's report.html from what its directory holds. Best effort: the page is a view of
 * the run, so a failure to write it is a note, never the end of training. Null when not written.
 */
async function refreshReport(runDir: string): Promise<string | null> {
  try {
    return (await writeRunReport(runDir, '--out')).report;
  } catch (err) {
    console.log(`note: ${runDir}/report.html not written: ${(err as Error).message.split('\n')[0]}`);
    return null;
  }
}

/**
 * After each update: a snapshot every --snapshot-every steps (EMA weights, their own noise, the
 * training weights put back exactly: the run's result is the same), and the report refreshed at
 * each checkpoint.
 */
function afterStepHook(run: TrainingRun, config: RunConfig, snapshotEvery: number): (step: number, checkpointed: boolean) => Promise<void> {
  const plan = snapshotEvery > 0 ? snapshotPlan(config) : null;
  return async (step, checkpointed) => {
    if (plan !== null && step % snapshotEvery === 0) await writeSnapshot(run, step, plan);
    if (checkpointed) await refreshReport(run.dir);
  };
}

/** Trains to --steps with a progress bar, over replicas when asked; Ctrl-C stops at a checkpoint. */
async function train({ config, run, backend, replicas }: OpenedRun, { keepCheckpoints, snapshotEvery }: TrainCommandRequest): Promise<Trained> {
  const pool = replicas > 1 ? await startReplicas(config, run, backend, replicas) : undefined;
  let interrupted = false;
  const onSigint = () => {
    interrupted = true;
  };
  process.on('SIGINT', onSigint);
  const bar = progressBar('train', config.train.steps, 'steps');
  bar.update(run.state.step);
  const trainStarted = performance.now();
  const startStep = run.state.step;
  let outcome: TrainingOutcome;
  try {
    outcome = await trainRun(run, {
      ...(pool ? { pool } : {}),
      ...(keepCheckpoints !== undefined ? { keepCheckpoints } : {}),
      onStep: ({ step, loss }) => bar.update(step, { loss: loss.toFixed(4) }),
      shouldStop: () => interrupted,
      afterStep: afterStepHook(run, config, snapshotEvery ?? 0),
    });
  } finally {
    bar.stop();
    process.off('SIGINT', onSigint);
    await pool?.close();
  }
  const trainSeconds = (performance.now() - trainStarted) / 1000;
  const stepsPerSecond = (outcome.step - startStep) / Math.max(trainSeconds, 1e-9);
  if (outcome.status === 'completed') {
    console.log(`trained ${outcome.step} steps in ${trainSeconds.toFixed(1)} s (${stepsPerSecond.toFixed(1)} steps/s)`);
  }
  return { outcome, trainSeconds, stepsPerSecond };
}

/** The worker threads of data-parallel training, each with its share of the batch. */
function startReplicas(config: RunConfig, run: TrainingRun, backend: ActiveBackend, replicas: number): Promise<ReplicaPool> {
  const { batchSize } = config.train;
  const shards = Array.from({ length: replicas }, (_, s) => shardRows(batchSize, replicas, s)).map((r) => r.end - r.start);
  console.log(`data-parallel replicas: ${replicas} (batch ${batchSize} split ${shards.join(' + ')}; this thread and ${replicas - 1} worker${replicas > 2 ? 's' : ''})`);
  return ReplicaPool.start(replicas, backend.name, run.parts.net, batchSize, run.parts.target.dim, config.train.minSnrGamma !== undefined);
}

/** Training diverged (exit 3) or was interrupted (exit 130): what is kept, and how to go on. */
function reportStopped(f: TrainCommandRequest, { run, backend }: OpenedRun, outcome: Exclude<TrainingOutcome, { status: 'completed' }>): number {
  const runDir = run.dir;
  if (outcome.status === 'diverged') {
    process.stderr.write(`error: ${divergenceMessage(runDir, outcome)}\n`);
    if (f.json) printJsonSummary({ status: 'diverged', run_dir: runDir, backend: backend.name, step: outcome.step, loss: outcome.loss });
    return 3;
  }
  console.log(`interrupted at step ${outcome.step}: checkpoint saved; continue with  npm run train -- --resume ${runDir}`);
  if (f.json) printJsonSummary({ status: 'interrupted', run_dir: runDir, backend: backend.name, step: outcome.step });
  return 130;
}

/**
 * What stopped training and what to try. Data that is itself NaN or Infinity is not helped by a
 * smaller --lr; before any checkpoint the directory can be started again with --resume.
 */
function divergenceMessage(runDir: string, outcome: Extract<TrainingOutcome, { status: 'diverged' }>): string {
  const stopped = `the loss became ${outcome.loss} at step ${outcome.step}`;
  const badData = 'the training data drawn for that step holds NaN or Infinity values (a smaller --lr does not help)';
  if (outcome.lastCheckpointStep === 0) {
    const where = `before any checkpoint was written (${runDir} has none yet)`;
    return outcome.nonFiniteData
      ? `${stopped}, ${where}: ${badData}; fix the data, then --resume ${runDir} starts it again from step 0.`
      : `${stopped}, ${where}; try a smaller --lr or a longer --warmup in a new run (--out); --resume ${runDir} would start it again from step 0 with the same settings.`;
  }
  const kept = `training stopped. The last good checkpoint (step ${outcome.lastCheckpointStep}) is kept in ${runDir}`;
  return `${stopped}; ${kept}; ${outcome.nonFiniteData ? `${badData}; check the data` : 'try a smaller --lr'}.`;
}

/** Samples with the EMA weights, as `npm run sample` does, and prints the metrics. */
async function evaluate({ run, classifierDir }: OpenedRun, step: number, plan: EvaluationPlan): Promise<Evaluation> {
  const progress = samplerProgress();
  const { evaluation } = await evaluateEma(run, step, {
    n: plan.n,
    sampler: plan.settings,
    outDir: plan.outDir,
    classifierDir,
    onProgress: progress.onProgress,
  });
  progress.stop();
  printAnyEvaluation(evaluation);
  return evaluation;
}

/** Where the run is, and with --json the summary line. */
function report(
  f: TrainCommandRequest,
  { run, backend, replicas }: OpenedRun,
  trained: Trained,
  evaluation: Evaluation | undefined,
  startedAt: number,
  page: string | null,
): number {
  console.log(`run directory: ${run.dir}`);
  if (f.json) {
    printJsonSummary({
      status: 'completed',
      run_dir: run.dir,
      backend: backend.name,
      replicas,
      steps: trained.outcome.step,
      wall_seconds: (performance.now() - startedAt) / 1000,
      train_seconds: trained.trainSeconds,
      steps_per_second: trained.stepsPerSecond,
      final_loss: run.log.read().at(-1)?.loss_avg ?? null,
      report: page,
      ...(evaluation ? evaluationSummary(evaluation) : {}),
    });
  }
  tf.disposeVariables();
  return 0;
}
