import { svgToPng, vegaLiteToSvg } from './render.js';
import { scatterData } from './scatter-data.js';
import { scatterSpec } from './scatter-spec.js';
import type { ScatterOptions } from './types.js';

/**
 * Anti-aliased edges of adjacent heatmap cells blend with the background and
 * show as a faint grid; crisp edges tile the cells seamlessly. Vega has no mark
 * property for this, so it is set on the rect marks' group in the SVG.
 */
function crispHeatmap(svg: string): string {
  return svg.replaceAll('<g class="mark-rect role-mark', '<g shape-rendering="crispEdges" class="mark-rect role-mark');
}

/** A scatter plot of two coordinates of `points`, over an optional density heatmap, as SVG text. */
export async function renderScatterSvg(opts: ScatterOptions): Promise<string> {
  return crispHeatmap(await vegaLiteToSvg(scatterSpec(opts, scatterData(opts))));
}

/** As {@link renderScatterSvg}, rasterised to PNG bytes. */
export async function renderScatterPng(opts: ScatterOptions): Promise<Uint8Array> {
  return svgToPng(await renderScatterSvg(opts));
}
