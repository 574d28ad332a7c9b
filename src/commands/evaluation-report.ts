import { formatMetricsTable } from '../metrics/table.js';
import type { EvaluationResult } from '../run/evaluate.js';
import { formatImageMetrics } from '../run/evaluate-images.js';
import type { Evaluation } from '../run/evaluation.js';
import type { SamplerProgress } from '../sampler/reverse-sde.js';
import { progressBar, type ProgressReporter } from './progress.js';

/** A progress bar for the sampler, started at the sampler's first report, when its total is known. */
export function samplerProgress(): { onProgress: SamplerProgress; stop: () => void } {
  let bar: ProgressReporter | undefined;
  return {
    onProgress: (done, total) => {
      bar ??= progressBar('sample', total, 'steps');
      bar.setTotal(total);
      bar.update(done);
    },
    stop: () => bar?.stop(),
  };
}

/** The metric table, a note when Sinkhorn stopped at its cap, and where the files are. */
export function printEvaluation(result: EvaluationResult): void {
  console.log(formatMetricsTable(result.metrics, result.floor));
  if (!result.sinkhornConverged) {
    console.log('note: Sinkhorn stopped at its iteration cap (heavy tails converge slowly); its value is approximate');
  }
  console.log(`samples, plot and metrics: ${result.outDir}`);
}

/** The evaluation's report, whichever kind of data: the metric table (point clouds) or the image metrics. */
export function printAnyEvaluation(e: Evaluation): void {
  if (e.kind === 'points') return printEvaluation(e.result);
  if (e.result.metrics) console.log(formatImageMetrics(e.result.metrics));
  else console.log(`note: image metrics skipped: ${e.result.note}`);
  console.log(`samples, image grid and metrics: ${e.result.outDir}`);
}

/** The part of a command's --json summary that describes the evaluation. */
export function evaluationSummary(e: Evaluation): Record<string, unknown> {
  if (e.kind === 'points') return { samples_dir: e.result.outDir, metrics: e.result.metrics, floor: e.result.floor };
  const m = e.result.metrics;
  return {
    samples_dir: e.result.outDir,
    metrics: m,
    floor: m ? { fid: m.fid_floor } : null,
    ...(e.result.note ? { note: e.result.note } : {}),
  };
}
