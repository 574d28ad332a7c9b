import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { evaluationSummary, printAnyEvaluation, samplerProgress } from './evaluation-report.js';
import { printJsonSummary } from './json-summary.js';
import { DEFAULT_CLASSIFIER_DIR } from '../classifier/store.js';
import { SAMPLE_DEFAULTS } from '../config/sample-defaults.js';
import { samplingRecipe } from '../config/sampling.js';
import { checkSamplingMemory } from '../config/memory-estimate.js';
import { isImageSource } from '../../datasets/target.js';
import { UsageError } from '../errors.js';
import { singularEndRefusal } from '../process/index.js';
import { requireExactTarget } from '../run/build.js';
import { evaluateSource } from '../run/evaluation.js';
import { classifierProblem } from '../run/evaluate-images.js';
import { lockRunDir } from '../run/run-dir.js';
import { withLocks, type DirLock } from '../io/dir-lock.js';
import { checkOutPlace } from '../io/out-place.js';
import type { CorrectorOptions } from '../sampler/langevin-corrector.js';
import { oracleScoreFunction } from '../sampler/score-function.js';
import { holdsSamples, samplesDir, solverSamplesDir } from '../run/evaluation-label.js';
import { solverOf } from '../sampler/settings.js';
import { isOdeSolver, solverNamed } from '../sampler/solvers.js';
import { refuseOccupiedOut, type EarlierResult } from './out-folder.js';
import type { SampleCommandRequest } from './sample-request.js';
import { openScoreSource } from './score-source.js';
import { keepsStepsFolderName, refuseSolverFlags, resolveSamplingOrRefuse, solverLabel } from './solver-flags.js';

/** What `sample` calls its earlier results in a refusal. */
const SAMPLES: EarlierResult = { what: 'samples', isIn: holdsSamples, varyBy: '--seed' };

/** `npm run sample`: the reverse-time sampler from a run's (or a bundle's) network, or the exact score, then metrics. */
export async function sampleCommand(f: SampleCommandRequest): Promise<number> {
  return withLocks((locks) => sampleWithLocks(f, locks));
}

/** sampleCommand; the locks it takes go into `locks`, released when it ends. */
async function sampleWithLocks(f: SampleCommandRequest, locks: DirLock[]): Promise<number> {
  const startedAt = performance.now();
  const source = await openScoreSource(f, SAMPLE_DEFAULTS);
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
  if (typeof outDir === 'string') refuseOccupiedOut(outDir, f.out !== undefined, SAMPLES);
  checkOutPlace(typeof outDir === 'string' ? outDir : path.dirname(outDir(0)), f.out !== undefined ? '--out' : '');
  // Into the run's own samples folder: the run is locked against a training or sampling of it at the same time.
  if (f.bundle === undefined && f.out === undefined) locks.push(lockRunDir(source.dir, 'npm run sample'));
  const checkedOutDir = typeof outDir === 'string' ? outDir : (nfe: number) => {
    const dir = outDir(nfe);
    refuseOccupiedOut(dir, false, SAMPLES);
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
