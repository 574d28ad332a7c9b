import * as path from 'node:path';
import type { Target } from '../../datasets/target.js';
import { writeFileAtomic } from '../io/atomic.js';
import { writeNpy } from '../io/npy.js';
import { writeFolderStaged } from '../io/staged-dir.js';
import { computeMetricsWithFloor, metricContextOf, type MetricValues } from '../metrics/index.js';
import type { GaussianPath } from '../process/index.js';
import { Rng } from '../rng.js';
import { RNG_STREAMS } from '../rng-streams.js';
import { sampleCounted, type SamplerProgress } from '../sampler/reverse-sde.js';
import type { SamplerSettings } from '../sampler/settings.js';
import type { ScoreFunction } from '../sampler/score-function.js';
import { renderSamplesPlot } from './plot-samples.js';
import { samplingReport } from './sampling-report.js';

export interface EvaluationResult {
  outDir: string;
  /** Score evaluations per sample the sampling spent (counted). */
  nfe: number;
  metrics: MetricValues;
  floor: MetricValues;
  samplingSeconds: number;
  metricSeconds: number;
  /** False when a Sinkhorn problem hit its iteration cap (reported, not hidden). */
  sinkhornConverged: boolean;
  files: { samples: string; plot: string; metrics: string };
}

export interface EvaluationRequest {
  target: Target;
  path: GaussianPath;
  score: ScoreFunction;
  /** What produced the score (for metrics.json): e.g. "ema weights at step 4000" or "oracle". */
  scoreSource: string;
  n: number;
  sampler: SamplerSettings;
  /** The output folder, or how to name it from the score evaluations the sampling spent (called once, before anything is written). */
  outDir: string | ((nfe: number) => string);
  /**
   * The folder belongs to a locked run writing its own evaluation again: one left there by a run
   * cut off before it recorded it (same step, same settings) is replaced. Otherwise it must be free.
   */
  replaceOutDir?: boolean;
  onProgress?: SamplerProgress;
}

/** The output folder of a request, once the evaluations spent are known. */
export function outDirOf(outDir: string | ((nfe: number) => string), nfe: number): string {
  return typeof outDir === 'string' ? outDir : outDir(nfe);
}

/**
 * Samples with the reverse SDE, then compares against fresh target samples,
 * reporting each metric beside its floor (the same metric between two
 * independent target samples of the same size).
 */
export async function evaluate(req: EvaluationRequest): Promise<EvaluationResult> {
  const { target } = req;
  const d = target.dim;
  const t0 = performance.now();
  const { samples: samples32, nfe } = await sampleCounted(req.path, req.score, req.n, d, req.sampler, req.onProgress);
  const samplingSeconds = (performance.now() - t0) / 1000;
  const outDir = outDirOf(req.outDir, nfe);

  const t1 = performance.now();
  const samples = Float64Array.from(samples32);
  const reference = target.sample(req.n, Rng.derive(req.sampler.seed, RNG_STREAMS.reference, 0));
  const reference2 = target.sample(req.n, Rng.derive(req.sampler.seed, RNG_STREAMS.reference, 1));
  const { metrics, floor, sinkhorn } = computeMetricsWithFloor(samples, reference, reference2, metricContextOf(target, req.sampler.seed));
  const metricSeconds = (performance.now() - t1) / 1000;

  const files = {
    samples: path.join(outDir, 'samples.npy'),
    plot: path.join(outDir, 'samples.png'),
    metrics: path.join(outDir, 'metrics.json'),
  };
  const report = {
    ...metrics,
    floor,
    sinkhorn_convergence: sinkhorn,
    ...samplingReport(req, target.name, nfe, samplingSeconds, metricSeconds),
  };
  const plot = await renderSamplesPlot(target, samples, reference);
  // All three files appear together or not at all (a full disk leaves no partial folder).
  await writeFolderStaged(outDir, req.replaceOutDir === true, async (dir) => {
    await writeNpy(path.join(dir, 'samples.npy'), samples32, [req.n, d]);
    await writeFileAtomic(path.join(dir, 'samples.png'), plot);
    await writeFileAtomic(path.join(dir, 'metrics.json'), JSON.stringify(report, null, 2) + '\n');
  });
  const sinkhornConverged = sinkhorn.samples.converged && sinkhorn.floor.converged;
  return { outDir, nfe, metrics, floor, samplingSeconds, metricSeconds, sinkhornConverged, files };
}
