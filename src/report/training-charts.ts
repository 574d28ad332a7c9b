import { renderLineChartsSvg, type LineChartOptions } from '../plot/line.js';
import type { LogRecord } from '../train/log.js';

const SIZE = { width: 300, height: 200 };

/**
 * The charts of the training log against step: the loss (raw: of the update at the record;
 * averaged: the mean since the previous record), the learning rate and the gradient norm.
 */
export function trainingCharts(records: readonly LogRecord[]): LineChartOptions[] {
  const x = records.map((r) => r.step);
  const series = (label: string, pick: (r: LogRecord) => number) => ({ label, x, y: records.map(pick) });
  return [
    {
      title: 'loss',
      xLabel: 'step',
      yLabel: 'loss',
      legendTitle: 'loss',
      series: [series('raw', (r) => r.loss), series('averaged', (r) => r.loss_avg)],
      ...SIZE,
    },
    { title: 'learning rate', xLabel: 'step', yLabel: 'learning rate', series: [series('lr', (r) => r.lr)], ...SIZE },
    { title: 'gradient norm (before clipping)', xLabel: 'step', yLabel: 'global L2 norm', series: [series('gradient norm', (r) => r.grad_norm)], ...SIZE },
  ];
}

/** The training charts as one inline SVG; null when the log has no records yet. */
export async function trainingChartsSvg(records: readonly LogRecord[]): Promise<string | null> {
  if (records.length === 0) return null;
  return renderLineChartsSvg(trainingCharts(records), 3);
}
