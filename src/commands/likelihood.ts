import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { targetModule } from '../../datasets/registry.js';
import { hasExactScore, isImageSource, type DataSource, type Target } from '../../datasets/target.js';
import { LIKELIHOOD_DEFAULTS, LIKELIHOOD_TOLERANCE } from '../config/likelihood-defaults.js';
import { UsageError } from '../errors.js';
import { withLocks, type DirLock } from '../io/dir-lock.js';
import { readNpySync, writeNpySync } from '../io/npy.js';
import { checkOutPlace } from '../io/out-place.js';
import { writeFolderStagedSync } from '../io/staged-dir.js';
import type { DivergenceMethod } from '../likelihood/augmented-velocity.js';
import { logLikelihoods, type FlowField, type LikelihoodSettings } from '../likelihood/change-of-variables.js';
import { bitsPerDim, DEQUANTISATION, dequantise } from '../likelihood/dequantisation.js';
import { EVALUATIONS_PER_STEP } from '../likelihood/forward-ode.js';
import { summariseLikelihood } from '../likelihood/summary.js';
import { singularEndRefusal, type GaussianPath } from '../process/index.js';
import { Rng } from '../rng.js';
import { RNG_STREAMS } from '../rng-streams.js';
import { requireExactTarget } from '../run/build.js';
import { lockRunDir } from '../run/run-dir.js';
import { probabilityFlowStartLogDensity } from '../sampler/probability-flow.js';
import { SOLVERS } from '../sampler/solvers.js';
import { printJsonSummary } from './json-summary.js';
import type { LikelihoodCommandRequest } from './likelihood-request.js';
import { refuseOccupiedOut, type EarlierResult } from './out-folder.js';
import { progressBar } from './progress.js';
import { openScoreSource } from './score-source.js';

/** The likelihood's outputs, in its folder (<run or bundle>/likelihood/<label> by default). */
export const LIKELIHOOD_FILES = { logp: 'logp.npy', metrics: 'metrics.json' } as const;

/** What `likelihood` calls its earlier results in a refusal. */
const LIKELIHOODS: EarlierResult = { what: 'a likelihood', isIn: (dir) => fs.existsSync(nodePath.join(dir, LIKELIHOOD_FILES.logp)), varyBy: '--seed' };

/** The points to evaluate, and how they were obtained (for metrics.json and the default folder). */
interface Points {
  values: Float64Array;
  n: number;
  /** For metrics.json. */
  source: string;
  /** For the default folder name. */
  label: string;
}

/** A [n, d] float32/float64 .npy whose d is the target's; a one-line UsageError naming the file otherwise. */
function readPointsFile(file: string, dim: number): Float64Array {
  let array;
  try {
    array = readNpySync(file);
  } catch (err) {
    const why = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new UsageError(`--points ${file}: cannot be read as .npy (${why}); accepted: a float32 or float64 .npy of shape [n, ${dim}]`);
  }
  const shape = array.shape;
  if (shape.length !== 2 || shape[1] !== dim || shape[0]! < 1) {
    throw new UsageError(`--points ${file}: shape [${shape.join(', ')}]; accepted: a float32 or float64 .npy of shape [n, ${dim}] (n >= 1), the target's dimension`);
  }
  const values = Float64Array.from(array.data as ArrayLike<number>);
  const bad = values.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) throw new UsageError(`--points ${file}: value ${values[bad]} at row ${Math.floor(bad / dim)} is not finite`);
  return values;
}

function choosePoints(f: LikelihoodCommandRequest, target: DataSource, seed: number): Points {
  const image = isImageSource(target);
  if (f.points !== undefined) {
    if (f.n !== undefined) throw new UsageError(`--n ${f.n}: does not apply with --points (the file gives the points)`);
    const values = readPointsFile(f.points, target.dim);
    const n = values.length / target.dim;
    const base = nodePath.basename(f.points).replace(/\.npy$/, '');
    // Images are read as 8-bit pixels scaled to [-1, 1], and dequantised like the test images.
    return {
      values: image ? dequantise(values, Rng.derive(seed, RNG_STREAMS.likelihoodDequantise)) : values,
      n,
      source: `${f.points}${image ? ' (dequantised)' : ''}`,
      label: `points-${base.replace(/[^A-Za-z0-9_.-]/g, '_')}`,
    };
  }
  const n = f.n ?? LIKELIHOOD_DEFAULTS.n[image ? 'image' : 'point'];
  if (image) {
    const test = (target as DataSource & { test?: () => { count: number; images: Float32Array } }).test?.();
    if (test === undefined) throw new UsageError(`--target ${target.name}: holds no test images; give --points FILE.npy`);
    if (n > test.count) throw new UsageError(`--n ${n}: the test split holds ${test.count} images; accepted: 1 to ${test.count}`);
    return {
      values: dequantise(test.images.subarray(0, n * target.dim), Rng.derive(seed, RNG_STREAMS.likelihoodDequantise)),
      n,
      source: `the first ${n} test images (dequantised)`,
      label: 'test',
    };
  }
  return { values: target.sample(n, Rng.derive(seed, RNG_STREAMS.likelihoodPoints)), n, source: `${n} fresh target samples (seed ${seed})`, label: 'target' };
}

/** The solver, its grid and steps or tolerance, from the flags; flags that do not fit the solver are refused. */
function solverSettings(f: LikelihoodCommandRequest): Pick<LikelihoodSettings, 'solver' | 'grid' | 'steps' | 'tolerance'> {
  const name = f.solver ?? LIKELIHOOD_DEFAULTS.solver;
  const perStepOrNull = EVALUATIONS_PER_STEP[name];
  const adaptive = perStepOrNull === null;
  if (adaptive) {
    if (f.nfe !== undefined) throw new UsageError(`--nfe ${f.nfe}: does not apply to --solver ${name} (adaptive: --rtol and --atol set its evaluations)`);
    if (f.grid !== undefined) throw new UsageError(`--grid ${f.grid}: does not apply to --solver ${name} (adaptive: it picks its own steps)`);
  } else {
    for (const key of ['rtol', 'atol'] as const) {
      if (f[key] !== undefined) throw new UsageError(`--${key} ${f[key]}: applies only to --solver rk45 (the solver is ${name})`);
    }
  }
  const perStep = perStepOrNull ?? 1;
  const steps = f.nfe === undefined ? LIKELIHOOD_DEFAULTS.steps : Math.floor(f.nfe / perStep);
  if (steps < 1) throw new UsageError(`--nfe ${f.nfe}: ${name} needs at least ${perStep} (${perStep} per step)`);
  return {
    solver: name,
    // The grid the sampler's solver of that name uses by default.
    grid: f.grid ?? SOLVERS[name].defaultGrid,
    steps,
    tolerance: { rtol: f.rtol ?? LIKELIHOOD_TOLERANCE.rtol, atol: f.atol ?? LIKELIHOOD_TOLERANCE.atol },
  };
}

/** `npm run likelihood`: log p_model of points by the probability-flow ODE's change of variables, with the truth beside it where known. */
export async function likelihoodCommand(f: LikelihoodCommandRequest): Promise<number> {
  return withLocks((locks) => likelihoodWithLocks(f, locks));
}

/** likelihoodCommand; the locks it takes go into `locks`, released when it ends. */
async function likelihoodWithLocks(f: LikelihoodCommandRequest, locks: DirLock[]): Promise<number> {
  const startedAt = performance.now();
  const settingsOfSolver = solverSettings(f);
  const source = await openScoreSource(f, LIKELIHOOD_DEFAULTS);
  const { target, path } = source;
  const tauMin = f.tauMin ?? path.tauMin;
  const tauMax = f.tauMax ?? path.tauMax;
  if (!(tauMin < tauMax)) throw new UsageError(`--tau-min ${tauMin}: must be below --tau-max (${tauMax})`);
  const singular = singularEndRefusal(path.name, tauMax);
  if (singular !== null) throw new UsageError(singular);
  const seed = f.seed ?? source.defaultSeed;
  const oracleTarget = f.oracle ? requireExactTarget(target, '--oracle', 'the oracle likelihood integrates it') : null;
  const points = choosePoints(f, target, seed);
  const dim = target.dim;
  const maxExact = f.exactDivMaxDim ?? LIKELIHOOD_DEFAULTS.exactDivMaxDim;
  const probes = f.probes ?? LIKELIHOOD_DEFAULTS.probes;
  const divergence: DivergenceMethod = oracleTarget !== null || dim <= maxExact ? { kind: 'exact' } : { kind: 'hutchinson', probes };
  const divergenceText =
    oracleTarget !== null
      ? 'exact (closed form from the posterior covariance)'
      : divergence.kind === 'exact'
        ? `exact (${dim} vector-Jacobian products)`
        : `Hutchinson, ${probes} Rademacher probes`;
  const settings: LikelihoodSettings = { ...settingsOfSolver, tauMin, tauMax, batchSize: f.batchSize ?? LIKELIHOOD_DEFAULTS.batchSize[isImageSource(target) ? 'image' : 'point'], seed, divergence };
  const solverText =
    settings.solver === 'rk45'
      ? `${settings.solver}-rtol${settings.tolerance.rtol}-atol${settings.tolerance.atol}`
      : `${settings.solver}-${settings.grid}-steps${settings.steps}`;
  const label = f.oracle ? 'oracle' : source.weightsLabel;
  const divergenceLabel = divergence.kind === 'exact' ? 'exactdiv' : `hutch${probes}`;
  const outDir = f.out ?? nodePath.join(source.dir, 'likelihood', `${label}-n${points.n}-${points.label}-${solverText}-${divergenceLabel}-seed${seed}`);
  refuseOccupiedOut(outDir, f.out !== undefined, LIKELIHOODS);
  checkOutPlace(outDir, f.out !== undefined ? '--out' : '');
  // Into the run's own likelihood folder: the run is locked against a training or sampling of it at the same time.
  if (f.bundle === undefined && f.out === undefined) locks.push(lockRunDir(source.dir, 'npm run likelihood'));

  const network = oracleTarget === null ? source.loadNetwork() : null;
  const field: FlowField = network !== null ? { kind: 'network', score: network.score } : { kind: 'oracle', target: oracleTarget! };
  const scoreSource = network?.scoreSource ?? 'oracle (exact score)';
  console.log(`log-likelihood of ${points.source} with ${solverText} (divergence: ${divergenceText}) from ${scoreSource}, tau ${tauMin} -> ${tauMax}`);
  const bar = progressBar('likelihood', 1, 'units');
  const solveStart = performance.now();
  const outcome = await logLikelihoods(points.values, dim, path, field, settings, (done, total) => {
    bar.setTotal(total);
    bar.update(done);
  });
  bar.stop();
  const solveSeconds = (performance.now() - solveStart) / 1000;

  const exactDensity = hasExactScore(target) && targetModule(target.name).capabilities.logDensity;
  const image = isImageSource(target);
  const summary = summariseLikelihood({
    dim,
    logp: outcome.logp,
    probeStdErr: outcome.probeStdErr,
    ...(exactDensity
      ? {
          exactLogp: target.logDensity(points.values),
          exactTauMinLogp: target.noisedLogDensity(points.values, path.coefficients(tauMin)),
          startCorrection: startCorrection(path, tauMax, outcome.ends, dim, target),
        }
      : {}),
    ...(image ? { bitsPerDim: (nll: number) => bitsPerDim(nll, dim) } : {}),
  });
  const metrics = {
    command: 'likelihood',
    ...(f.bundle !== undefined ? { bundle_dir: f.bundle } : { run_dir: f.run }),
    target: target.name,
    process: path.name,
    score: scoreSource,
    points: points.source,
    solver: settings.solver,
    ...(settings.solver === 'rk45' ? { tolerance: settings.tolerance } : { grid: settings.grid, steps: settings.steps }),
    tauMin,
    tauMax,
    start: `N(0, b(tau_max)^2 I), b(tau_max) = ${path.coefficients(tauMax).b}`,
    divergence: divergenceText,
    ...(image ? { dequantisation: DEQUANTISATION } : {}),
    seed,
    nfe: outcome.nfe,
    seconds: solveSeconds,
    ...summary,
  };
  // Written whole into a temporary sibling, renamed into place: the folder never holds part of a result.
  writeFolderStagedSync(outDir, (dir) => {
    writeNpySync(nodePath.join(dir, LIKELIHOOD_FILES.logp), outcome.logp, [points.n]);
    fs.writeFileSync(nodePath.join(dir, LIKELIHOOD_FILES.metrics), JSON.stringify(metrics, null, 2) + '\n');
  });
  printSummary(summary, outcome.nfe, solveSeconds, outDir);
  if (f.json) printJsonSummary({ status: 'completed', out_dir: outDir, backend: source.backend, wall_seconds: (performance.now() - startedAt) / 1000, ...metrics });
  tf.disposeVariables();
  return 0;
}

/** c = log N(x_T; 0, b_T^2 I) - log p_T(x_T): what the start adds to log p_model at each point (see LikelihoodSummary). */
function startCorrection(path: GaussianPath, tauMax: number, ends: Float64Array, dim: number, target: Target): Float64Array {
  const start = probabilityFlowStartLogDensity(path, tauMax, ends, dim);
  const exact = target.noisedLogDensity(ends, path.coefficients(tauMax));
  return start.map((l, i) => l - exact[i]!);
}

function printSummary(s: ReturnType<typeof summariseLikelihood>, nfe: number, seconds: number, outDir: string): void {
  const fmt = (v: number) => v.toFixed(4);
  console.log(`mean NLL ${fmt(s.meanNll)} +- ${fmt(s.nllStdErr)} nats over ${s.n} points (${nfe.toFixed(1)} evaluations per point, ${seconds.toFixed(1)} s)`);
  if (s.hutchinsonStdErrRms !== undefined) console.log(`Hutchinson: per-point standard error over the probes, RMS ${fmt(s.hutchinsonStdErrRms)} nats`);
  if (s.bitsPerDim !== undefined) console.log(`bits/dim ${fmt(s.bitsPerDim)} +- ${fmt(s.bitsPerDimStdErr!)} (uniform dequantisation of 8-bit pixels)`);
  if (s.kl !== undefined) {
    console.log(`exact: |log p_model - log p| median ${s.exactLogpAbsErrorMedian!.toExponential(2)}, 95th percentile ${s.exactLogpAbsErrorP95!.toExponential(2)}`);
    console.log(`exact at tau_min: |log p_model - log p_tau_min| median ${s.tauMinLogpAbsErrorMedian!.toExponential(2)}, 95th percentile ${s.tauMinLogpAbsErrorP95!.toExponential(2)}`);
    console.log(
      `start correction c = log start(x_T) - log p_T(x_T): mean ${s.startCorrectionMean!.toExponential(2)}; ` +
        `solver alone |log p_model - log p_tau_min - c|: median ${s.solverLogpAbsErrorMedian!.toExponential(2)}, 95th percentile ${s.solverLogpAbsErrorP95!.toExponential(2)}`,
    );
    console.log(`exact entropy estimate E[-log p] ${fmt(s.exactEntropy!)} +- ${fmt(s.exactEntropyStdErr!)}; KL(p || p_model) ${fmt(s.kl)} +- ${fmt(s.klStdErr!)} nats`);
  }
  console.log(`wrote ${nodePath.join(outDir, LIKELIHOOD_FILES.logp)} and ${LIKELIHOOD_FILES.metrics}`);
}
