import { lineData } from './line-data.js';
import { lineChartsSpec } from './line-spec.js';
import type { LineChartOptions } from './line-types.js';
import { svgToPng, vegaLiteToSvg } from './render.js';

export type { LineChartOptions, LineRule, LineSeries } from './line-types.js';

/** One or more line charts in a grid of `columns` per row, as SVG text. */
export async function renderLineChartsSvg(charts: LineChartOptions[], columns = 1): Promise<string> {
  if (charts.length === 0) throw new Error('plot: no charts to draw');
  return vegaLiteToSvg(lineChartsSpec(charts.map((options) => ({ options, data: lineData(options) })), columns));
}

/** As {@link renderLineChartsSvg}, rasterised to PNG bytes. */
export async function renderLineChartsPng(charts: LineChartOptions[], columns = 1): Promise<Uint8Array> {
  return svgToPng(await renderLineChartsSvg(charts, columns));
}
