export { renderScatterPng, renderScatterSvg } from './scatter.js';
export { scatterSpec } from './scatter-spec.js';
export { scatterData } from './scatter-data.js';
export type { ScatterData } from './scatter-data.js';
export { svgToPng, vegaLiteToSvg } from './render.js';
export type { DensityGrid, ScatterOptions } from './types.js';
