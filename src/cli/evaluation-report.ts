import { formatMetricsTable } from '../metrics/table.js';
import type { EvaluationResult } from '../run/evaluate.js';
import type { SamplerProgress } from '../sampler/reverse-sde.js';
import { progressBar } from './progress.js';

/** A progress bar for the sampler, whose total is known only once it starts. */
export function samplerProgress(): { onProgress: SamplerProgress; stop: () => void } {
  const bar = progressBar('sample', 1, 'steps');
  return {
    onProgress: (done, total) => {
      bar.setTotal(total);
      bar.update(done);
    },
    stop: () => bar.stop(),
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
