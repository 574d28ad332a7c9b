import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { DataSource } from '../../datasets/target.js';
import { describeBackend, initBackend } from '../platform/backend.js';
import { openBundleForSampling } from '../bundle/sample-source.js';
import { evaluationSummary, printAnyEvaluation, samplerProgress } from './evaluation-report.js';
import { printJsonSummary } from './json-summary.js';
import { DEFAULT_CLASSIFIER_DIR } from '../classifier/store.js';
import { SAMPLE_DEFAULTS } from '../config/sample-defaults.js';
import { samplingRecipe } from '../config/sampling.js';
import { checkSamplingMemory } from '../config/memory-estimate.js';
import { backboneConfig } from '../config/run-config.js';
import type { BackboneConfig } from '../../models/backbone.js';
import { isImageSource } from '../../datasets/target.js';
import { UsageError } from '../errors.js';
import { singularEndRefusal, type GaussianPath } from '../process/index.js';
import { buildRunParts, requireExactTarget } from '../run/build.js';
import { evaluateSource } from '../run/evaluation.js';
import { classifierProblem } from '../run/evaluate-images.js';
import { hasCheckpoint, lockRunDir, readRunConfig, RUN_FILES } from '../run/run-dir.js';
import type { DirLock } from '../io/dir-lock.js';
import { checkOutPlace } from '../io/out-place.js';
import type { CorrectorOptions } from '../sampler/langevin-corrector.js';
import { networkScoreFunction, oracleScoreFunction, type ScoreFunction } from '../sampler/score-function.js';
import { loadWeights } from '../train/state.js';
import { holdsSamples, samplesDir, solverSamplesDir } from '../run/evaluation-label.js';
import { describeOccupants, occupantsOf } from '../io/staged-dir.js';
import { solverOf } from '../sampler/settings.js';
import { isOdeSolver, solverNamed } from '../sampler/solvers.js';
import type { SampleCommandRequest } from './sample-request.js';
import { keepsStepsFolderName, refuseSolverFlags, resolveSamplingOrRefuse, solverLabel } from './solver-flags.js';

/** What the sampler draws from: a run directory or an exported bundle (--bundle). */
interface SamplingSource {
  backend: string;
  target: DataSource;
  path: GaussianPath;
  /** The run's or bundle's directory: home of the default output folder. */
  dir: string;
  defaultSeed: number;
  /** ema or raw: names the default output folder. */
  weightsLabel: string;
  /** The network's architecture (for the memory estimate). */
  network: BackboneConfig;
  /** Loads the network's weights (after the flags are checked) and describes them. */
  loadNetwork(): { score: ScoreFunction; scoreSource: string };
}

async function initAndReportBackend(f: SampleCommandRequest): Promise<string> {
  const backend = await initBackend(f.backend ?? SAMPLE_DEFAULTS.backend, { threads: f.threads });
  console.log(describeBackend(backend));
  return backend.name;
}

async function runSource(f: SampleCommandRequest, run: string): Promise<SamplingSource> {
  const config = readRunConfig(run, '--run');
  if (!f.oracle && !hasCheckpoint(run)) {
    throw new UsageError(`--run ${run}: no ${RUN_FILES.checkpoint} yet (training wrote no checkpoint); use --oracle or train first`);
  }
  const backend = await initAndReportBackend(f);
  const parts = buildRunParts(config);
  const weights = f.weights ?? SAMPLE_DEFAULTS.weights;
  return {
    backend,
    target: parts.target,
    path: parts.path,
    dir: run,
    defaultSeed: config.train.seed,
    weightsLabel: weights,
    network: backboneConfig(config.model),
    loadNetwork: () => {
      const step = loadWeights(run, parts.backbone, weights === 'ema' ? 'ema' : 'params');
      return { score: networkScoreFunction(parts.net), scoreSource: `${weights} weights at step ${step}` };
    },
  };
}

async function bundleSource(f: SampleCommandRequest, bundle: string): Promise<SamplingSource> {
  const backend = await initAndReportBackend(f);
  const { model, target, scoreSource } = await openBundleForSampling(bundle, f.weights);
  return {
    backend,
    target,
    path: model.process,
    dir: bundle,
    defaultSeed: model.config.sampler.seed,
    weightsLabel: model.config.source.weights,
    network: model.config.network.backbone,
    loadNetwork: () => ({ score: model.scoreFunction, scoreSource }),
  };
}

/**
 * Nothing already on disk is overwritten or mixed with new files: an output
 * folder that holds anything (an earlier sampling, the user's own files) or
 * is a file is refused before sampling. A missing or empty folder is fine.
 */
function refuseOccupiedOut(outDir: string, fromFlag: boolean): void {
  const occupants = occupantsOf(outDir);
  if (occupants === null) return;
  const where = fromFlag ? `--out ${outDir}` : `the default output folder ${outDir}`;
  if (occupants.kind === 'file') throw new UsageError(`${where}: exists as a file; give a new folder with --out`);
  const what = holdsSamples(outDir) ? `samples (${describeOccupants(occupants.names)})` : describeOccupants(occupants.names);
  throw new UsageError(`${where}: already holds ${what}; choose another --out (a new or empty folder), or move those files away`);
}

/** `npm run sample`: the reverse-time sampler from a run's (or a bundle's) network, or the exact score, then metrics. */
export async function sampleCommand(f: SampleCommandRequest): Promise<number> {
  const locks: DirLock[] = [];
  try {
    return await sampleWithLocks(f, locks);
  } finally {
    for (const lock of locks) lock.release();
  }
}

/** sampleCommand; the locks it takes go into `locks`, released when it ends. */
async function sampleWithLocks(f: SampleCommandRequest, locks: DirLock[]): Promise<number> {
  const startedAt = performance.now();
  const source = f.bundle !== undefined ? await bundleSource(f, f.bundle) : await runSource(f, f.run!);
  refuseSolverFlags(f.sampling, f.sampling.solver ?? samplingRecipe(source.target.name).solver, source.path);
  const { n, settings, recipe } = resolveSamplingOrRefuse(f.sampling, { target: source.target, process: source.path, seed: source.defaultSeed });
  const { steps, tauMin, tauMax, seed } = settings;
  checkSamplingMemory(source.network, n, settings.batchSize, isImageSource(source.target), { n: '--n', batchSize: '--batch-size' });
  if (!(tauMin < tauMax)) throw new UsageError(`--tau-min ${tauMin}: must be below --tau-max (${tauMax})`);
  const singular = singularEndRefusal(source.path.name, tauMax);
  if (singular !== null) throw new UsageError(singular);
  if (f.classifier !== undefined && !isImageSource(source.target)) {
    throw new UsageError(`--classifier ${f.classifier}: does not apply to target ${source.target.name} (image targets only)`);
  }
  // A classifier asked for by name must be there before sampling (the default one may be missing: the samples come without image metrics).
  const classifierIssue = f.classifier !== undefined && isImageSource(source.target) ? classifierProblem(source.target, f.classifier) : null;
  if (classifierIssue !== null) throw new UsageError(`--classifier ${f.classifier}: ${classifierIssue}`);
  const { score, scoreSource } = f.oracle
    ? { score: oracleScoreFunction(requireExactTarget(source.target, '--oracle', 'the oracle sampler uses it')), scoreSource: 'oracle (exact score)' }
    : source.loadNetwork();
  const correctorSnr = f.sampling.corrector?.snr;
  if (correctorSnr !== undefined && settings.corrector === undefined) {
    throw new UsageError(`--corrector-snr ${correctorSnr}: applies only with --corrector-steps 1 or more`);
  }
  const variants = [
    ...(isOdeSolver(solverNamed(solverOf(settings))) ? [] : correctorVariant(settings.corrector, recipe.corrector)),
    ...(f.sampling.denoise === false ? ['nodenoise'] : []),
    ...(f.sampling.clip !== null || source.target.dataRange === undefined ? [] : ['noclip']),
  ];
  const label = f.oracle ? 'oracle' : source.weightsLabel;
  // Another solver or grid: the folder names the evaluations spent, known once sampled (checked again then).
  const outDir =
    f.out ?? (keepsStepsFolderName(settings) ? samplesDir(source.dir, label, n, steps, seed, variants) : (nfe: number) => solverSamplesDir(source.dir, label, n, solverLabel(settings), nfe, seed, variants));
  if (typeof outDir === 'string') refuseOccupiedOut(outDir, f.out !== undefined);
  checkOutPlace(typeof outDir === 'string' ? outDir : path.dirname(outDir(0)), f.out !== undefined ? '--out' : '');
  // Into the run's own samples folder: the run is locked against a training or sampling of it at the same time.
  if (f.bundle === undefined && f.out === undefined) locks.push(lockRunDir(source.dir, 'npm run sample'));
  const checkedOutDir = typeof outDir === 'string' ? outDir : (nfe: number) => {
    const dir = outDir(nfe);
    refuseOccupiedOut(dir, false);
    return dir;
  };
  const how = settings.tolerance !== undefined ? `rtol ${settings.tolerance.rtol}, atol ${settings.tolerance.atol}` : `${steps} steps${settings.grid !== undefined ? ` on the ${settings.grid} grid` : ''}`;
  console.log(`sampling ${n} points with ${solverOf(settings)} (${how}) from ${scoreSource}, tau ${tauMax} -> ${tauMin}`);
  const progress = samplerProgress();
  const evaluation = await evaluateSource({
    target: source.target,
    classifierDir: f.classifier ?? DEFAULT_CLASSIFIER_DIR,
    path: source.path,
    score,
    scoreSource,
    n,
    sampler: settings,
    outDir: checkedOutDir,
    onProgress: progress.onProgress,
  });
  progress.stop();
  console.log(`${solverOf(settings)}: ${evaluation.result.nfe} network evaluations per sample, ${evaluation.result.samplingSeconds.toFixed(2)} s of sampling`);
  printAnyEvaluation(evaluation);
  if (f.json) {
    printJsonSummary({
      status: 'completed',
      ...(f.bundle !== undefined ? { bundle_dir: f.bundle } : { run_dir: f.run }),
      out_dir: evaluation.result.outDir,
      backend: source.backend,
      score: scoreSource,
      n,
      steps,
      solver: solverOf(settings),
      nfe: evaluation.result.nfe,
      sampling_seconds: evaluation.result.samplingSeconds,
      wall_seconds: (performance.now() - startedAt) / 1000,
      ...withoutSamplesDir(evaluationSummary(evaluation)),
    });
  }
  tf.disposeVariables();
  return 0;
}

/** The folder-name part for a corrector other than the target's default: em (none), or pc<K>-snr<r>. */
function correctorVariant(chosen: CorrectorOptions | undefined, byDefault: CorrectorOptions): string[] {
  if (chosen === undefined) return byDefault.steps === 0 ? [] : ['em'];
  if (chosen.steps === byDefault.steps && chosen.snr === byDefault.snr) return [];
  return [`pc${chosen.steps}-snr${chosen.snr}`];
}

/** out_dir already names the folder. */
function withoutSamplesDir(summary: Record<string, unknown>): Record<string, unknown> {
  const { samples_dir: _dir, ...rest } = summary;
  return rest;
}
