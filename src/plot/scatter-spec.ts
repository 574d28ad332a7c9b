import type { TopLevelSpec } from 'vega-lite';
import type { ScatterData } from './scatter-data.js';
import type { ScatterOptions } from './types.js';
import { DENSITY_BLUES, DENSITY_LEGEND_TITLE, DENSITY_STOPS, POINT_SET_NAMES, REFERENCE_COLOUR, SAMPLE_COLOUR } from './palette.js';

// The palette is shared with the web page (palette.ts).
const BLUES = [...DENSITY_BLUES];
const BLUES_STOPS = DENSITY_STOPS;
// A named family resvg finds on most systems, then the generic fallback.
const FONT = 'DejaVu Sans, Helvetica, Arial, sans-serif';

/**
 * Vega-Lite spec: density heatmap, then reference points, then samples, on
 * shared axes. Points use fillOpacity, not opacity: a plain fill keeps resvg
 * from making a compositing layer per point (slower, and see scatterData).
 */
export function scatterSpec(o: ScatterOptions, data: ScatterData): TopLevelSpec {
  const { domain, points, reference, cells } = data;
  const x = { field: 'x', type: 'quantitative', title: o.xLabel, scale: { domain: domain.x, nice: false, zero: false } } as const;
  const y = { field: 'y', type: 'quantitative', title: o.yLabel, scale: { domain: domain.y, nice: false, zero: false } } as const;

  const layers: TopLevelSpec[] = [];
  if (cells.length > 0) {
    layers.push({
      data: { values: cells },
      mark: { type: 'rect', clip: true },
      encoding: {
        x,
        x2: { field: 'x2' },
        y,
        y2: { field: 'y2' },
        color: {
          field: 'd',
          type: 'quantitative',
          title: DENSITY_LEGEND_TITLE,
          scale: { domain: BLUES_STOPS, range: BLUES, interpolate: 'rgb' },
          legend: { values: [0, 0.2, 0.4, 0.6, 0.8, 1], format: '.1f', gradientLength: 160 },
        },
      },
    } as TopLevelSpec);
  }

  // One nominal colour scale for both point sets gives a legend telling them apart.
  const setColour = {
    type: 'nominal',
    title: null,
    scale: { domain: [POINT_SET_NAMES.reference, POINT_SET_NAMES.samples], range: [REFERENCE_COLOUR, SAMPLE_COLOUR] },
  } as const;
  const pointLayers: TopLevelSpec[] = [];
  if (reference.length > 0) {
    pointLayers.push({
      data: { values: reference },
      mark: { type: 'circle', size: 6, fillOpacity: 0.5, clip: true },
      encoding: { x, y, color: { ...setColour, datum: POINT_SET_NAMES.reference } },
    } as TopLevelSpec);
  }
  pointLayers.push({
    data: { values: points },
    mark: { type: 'circle', size: 8, fillOpacity: 0.6, clip: true },
    encoding: {
      x,
      y,
      // Without a reference set the legend would say only "samples": leave it out.
      color: { ...setColour, datum: POINT_SET_NAMES.samples, ...(reference.length > 0 ? {} : { legend: null }) },
    },
  } as TopLevelSpec);
  layers.push({ layer: pointLayers } as TopLevelSpec);

  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: o.title,
    width: o.width ?? 480,
    height: o.height ?? 480,
    background: 'white',
    // aria labels would add ~300 bytes per mark to the SVG and nothing to a PNG.
    config: { font: FONT, aria: false, axis: { grid: false }, legend: { orient: 'right' } },
    layer: layers,
    // The heatmap's gradient and the point sets' symbols are separate legends.
    resolve: { scale: { color: 'independent' } },
  } as TopLevelSpec;
}
