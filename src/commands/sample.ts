import * as tf from '@tensorflow/tfjs-core';
import type { Target } from '../../datasets/target.js';
import { describeBackend, initBackend } from '../backend.js';
import { openBundleForSampling } from '../bundle/sample-source.js';
import { printEvaluation, samplerProgress } from '../cli/evaluation-report.js';
import { printJsonSummary } from '../cli/run-command.js';
import { SAMPLE_DEFAULTS, type SampleFlags } from '../cli/sample-options.js';
import { UsageError } from '../errors.js';
import type { GaussianPath } from '../process/index.js';
import { buildRun } from '../run/build.js';
import { evaluate } from '../run/evaluate.js';
import { hasCheckpoint, readRunConfig, RUN_FILES } from '../run/run-dir.js';
import { networkScoreFunction, oracleScoreFunction, type ScoreFunction } from '../sampler/score-function.js';
import { loadWeights } from '../train/state.js';
import { samplesDir } from './evaluation-label.js';

/** What the sampler draws from: a run directory or an exported bundle (--bundle). */
interface SamplingSource {
  backend: string;
  target: Target;
  path: GaussianPath;
  /** The run's or bundle's directory: home of the default output folder. */
  dir: string;
  defaultSeed: number;
  /** ema or raw: names the default output folder. */
  weightsLabel: string;
  /** Loads the network's weights (after the flags are checked) and describes them. */
  loadNetwork(): { score: ScoreFunction; scoreSource: string };
}

async function initAndReportBackend(f: SampleFlags): Promise<string> {
  const backend = await initBackend(f.backend ?? SAMPLE_DEFAULTS.backend, { threads: f.threads });
  console.log(describeBackend(backend));
  return backend.name;
}

async function runSource(f: SampleFlags, run: string): Promise<SamplingSource> {
  const config = readRunConfig(run, '--run');
  if (!f.oracle && !hasCheckpoint(run)) {
    throw new UsageError(`--run ${run}: no ${RUN_FILES.checkpoint} yet (training wrote no checkpoint); use --oracle or train first`);
  }
  const backend = await initAndReportBackend(f);
  const parts = buildRun(config);
  const weights = f.weights ?? SAMPLE_DEFAULTS.weights;
  return {
    backend,
    target: parts.target,
    path: parts.path,
    dir: run,
    defaultSeed: config.train.seed,
    weightsLabel: weights,
    loadNetwork: () => {
      const step = loadWeights(run, parts.backbone, weights === 'ema' ? 'ema' : 'params');
      return { score: networkScoreFunction(parts.net), scoreSource: `${weights} weights at step ${step}` };
    },
  };
}

async function bundleSource(f: SampleFlags, bundle: string): Promise<SamplingSource> {
  const backend = await initAndReportBackend(f);
  const { model, target, scoreSource } = await openBundleForSampling(bundle, f.weights);
  return {
    backend,
    target,
    path: model.process,
    dir: bundle,
    defaultSeed: model.config.sampler.seed,
    weightsLabel: model.config.source.weights,
    loadNetwork: () => ({ score: model.scoreFunction, scoreSource }),
  };
}

/** `npm run sample`: reverse-time Euler-Maruyama from a run's (or a bundle's) network, or the exact score, then metrics. */
export async function sampleCommand(f: SampleFlags): Promise<number> {
  const startedAt = performance.now();
  const source = f.bundle !== undefined ? await bundleSource(f, f.bundle) : await runSource(f, f.run!);
  const tauMin = f.tauMin ?? source.path.tauMin;
  const tauMax = f.tauMax ?? source.path.tauMax;
  if (!(tauMin < tauMax)) throw new UsageError(`--tau-min ${tauMin}: must be below --tau-max (${tauMax})`);
  if (source.path.name === 'pbm' && tauMax >= 1) {
    throw new UsageError(`--tau-max ${tauMax}: PBM is singular at tau = 1; accepted: a number in (tau-min, 1)`);
  }
  const { score, scoreSource } = f.oracle
    ? { score: oracleScoreFunction(source.target), scoreSource: 'oracle (exact score)' }
    : source.loadNetwork();
  const n = f.n ?? SAMPLE_DEFAULTS.n;
  const steps = f.steps ?? SAMPLE_DEFAULTS.steps;
  const seed = f.seed ?? source.defaultSeed;
  const outDir = f.out ?? samplesDir(source.dir, f.oracle ? 'oracle' : source.weightsLabel, n, steps, seed);
  console.log(`sampling ${n} points with ${steps} steps from ${scoreSource}, tau ${tauMax} -> ${tauMin}`);
  const progress = samplerProgress();
  const result = await evaluate({
    target: source.target,
    path: source.path,
    score,
    scoreSource,
    n,
    sampler: { steps, tauMin, tauMax, denoise: f.denoise, batchSize: f.batchSize ?? SAMPLE_DEFAULTS.batchSize, seed },
    outDir,
    onProgress: progress.onProgress,
  });
  progress.stop();
  printEvaluation(result);
  if (f.json) {
    printJsonSummary({
      status: 'completed',
      ...(f.bundle !== undefined ? { bundle_dir: f.bundle } : { run_dir: f.run }),
      out_dir: result.outDir,
      backend: source.backend,
      score: scoreSource,
      n,
      steps,
      wall_seconds: (performance.now() - startedAt) / 1000,
      metrics: result.metrics,
      floor: result.floor,
    });
  }
  tf.disposeVariables();
  return 0;
}
