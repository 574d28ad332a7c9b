import type { Target } from '../../datasets/target.js';
import { renderScatterPng } from '../plot/index.js';

/**
 * The picture a user expects: 2-D targets as samples over the target density;
 * anything else as the two coordinates the target names (`plotAxes`: the funnel's
 * (x1, x0) slice) or else the first two, with fresh target samples underneath in grey.
 * `title` replaces the default one (the snapshots name their step).
 */
export async function renderSamplesPlot(target: Target, samples: Float64Array, reference: Float64Array, title?: string): Promise<Uint8Array> {
  const d = target.dim;
  if (d === 2) {
    const extent = extentOf(reference, d);
    const xs = linspace(extent.x[0], extent.x[1], 120);
    const ys = linspace(extent.y[0], extent.y[1], 120);
    const grid = new Float64Array(xs.length * ys.length * 2);
    ys.forEach((y, i) => xs.forEach((x, j) => grid.set([x, y], 2 * (i * xs.length + j))));
    return renderScatterPng({
      points: samples,
      dim: d,
      xIndex: 0,
      yIndex: 1,
      xLabel: 'x0',
      yLabel: 'x1',
      title: title ?? `${target.name}: samples over the target density`,
      density: { xs, ys, logDensity: target.logDensity(grid) },
      domain: extent,
    });
  }
  const [xIndex, yIndex] = target.plotAxes ?? [0, 1];
  return renderScatterPng({
    points: samples,
    reference,
    dim: d,
    xIndex,
    yIndex,
    xLabel: `x${xIndex}`,
    yLabel: `x${yIndex}`,
    title: title ?? `${target.name} (d = ${d}): samples (colour) and target samples (grey)`,
    domain: extentOf(reference, d, [xIndex, yIndex]),
  });
}

function linspace(lo: number, hi: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => lo + ((hi - lo) * i) / (n - 1));
}

/** A padded box around the central 99.5% of the reference, per plotted axis. */
function extentOf(points: Float64Array, d: number, axes: [number, number] = [0, 1]): { x: [number, number]; y: [number, number] } {
  const range = (axis: number): [number, number] => {
    const values = Array.from({ length: points.length / d }, (_, i) => points[i * d + axis]!).sort((a, b) => a - b);
    const lo = values[Math.floor(0.0025 * (values.length - 1))]!;
    const hi = values[Math.ceil(0.9975 * (values.length - 1))]!;
    const pad = 0.15 * (hi - lo);
    return [lo - pad, hi + pad];
  };
  return { x: range(axes[0]), y: range(axes[1]) };
}
