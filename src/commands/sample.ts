import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../backend.js';
import { progressBar } from '../cli/progress.js';
import { printJsonSummary } from '../cli/run-command.js';
import { SAMPLE_DEFAULTS, type SampleFlags } from '../cli/sample-options.js';
import { UsageError } from '../errors.js';
import { formatMetricsTable } from '../metrics/table.js';
import { buildRun } from '../run/build.js';
import { evaluate } from '../run/evaluate.js';
import { hasCheckpoint, readRunConfig, RUN_FILES } from '../run/run-dir.js';
import { networkScoreFunction, oracleScoreFunction } from '../sampler/score-function.js';
import { loadWeights } from '../train/state.js';
import { samplesDir } from './evaluation-label.js';

/** `npm run sample`: reverse-time Euler-Maruyama from a run's network (or the exact score), then metrics. */
export async function sampleCommand(f: SampleFlags): Promise<number> {
  const startedAt = performance.now();
  const config = readRunConfig(f.run, '--run');
  if (!f.oracle && !hasCheckpoint(f.run)) {
    throw new UsageError(`--run ${f.run}: no ${RUN_FILES.checkpoint} yet (training wrote no checkpoint); use --oracle or train first`);
  }
  const backend = await initBackend(f.backend ?? SAMPLE_DEFAULTS.backend);
  console.log(`backend: ${backend.name}${backend.skipped.length ? ` (passed over: ${backend.skipped.join('; ')})` : ''}`);
  const parts = buildRun(config);
  const tauMin = f.tauMin ?? parts.path.tauMin;
  const tauMax = f.tauMax ?? parts.path.tauMax;
  if (!(tauMin < tauMax)) throw new UsageError(`--tau-min ${tauMin}: must be below --tau-max (${tauMax})`);
  if (config.process.name === 'pbm' && tauMax >= 1) {
    throw new UsageError(`--tau-max ${tauMax}: PBM is singular at tau = 1; accepted: a number in (tau-min, 1)`);
  }
  const weights = f.weights ?? SAMPLE_DEFAULTS.weights;
  let scoreSource = 'oracle (exact score)';
  if (!f.oracle) {
    const step = loadWeights(f.run, parts.backbone, weights === 'ema' ? 'ema' : 'params');
    scoreSource = `${weights} weights at step ${step}`;
  }
  const n = f.n ?? SAMPLE_DEFAULTS.n;
  const steps = f.steps ?? SAMPLE_DEFAULTS.steps;
  const seed = f.seed ?? config.train.seed;
  const outDir = f.out ?? samplesDir(f.run, f.oracle ? 'oracle' : weights, n, steps, seed);
  console.log(`sampling ${n} points with ${steps} steps from ${scoreSource}, tau ${tauMax} -> ${tauMin}`);
  const bar = progressBar('sample', 1, 'steps');
  const result = await evaluate({
    target: parts.target,
    path: parts.path,
    score: f.oracle ? oracleScoreFunction(parts.target) : networkScoreFunction(parts.net),
    scoreSource,
    n,
    sampler: { steps, tauMin, tauMax, denoise: f.denoise, batchSize: f.batchSize ?? SAMPLE_DEFAULTS.batchSize, seed },
    outDir,
    onProgress: (done, total) => {
      bar.setTotal(total);
      bar.update(done);
    },
  });
  bar.stop();
  console.log(formatMetricsTable(result.metrics, result.floor));
  console.log(`samples, plot and metrics: ${result.outDir}`);
  if (f.json) {
    printJsonSummary({
      status: 'completed',
      run_dir: f.run,
      out_dir: result.outDir,
      backend: backend.name,
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
