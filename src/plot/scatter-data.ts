import type { DensityGrid, ScatterOptions } from './types.js';

export type Range = [number, number];
export interface Domain {
  x: Range;
  y: Range;
}
export interface XY {
  x: number;
  y: number;
}
/** One heatmap cell: its edges and density divided by the maximum. */
export interface Cell {
  x: number;
  x2: number;
  y: number;
  y2: number;
  d: number;
}

/** The rows Vega draws: everything already projected, normalised and cut to the axes. */
export interface ScatterData {
  domain: Domain;
  points: XY[];
  reference: XY[];
  cells: Cell[];
}

function checkOptions(o: ScatterOptions): void {
  if (!Number.isInteger(o.dim) || o.dim < 1) throw new Error(`plot: dim must be a positive integer, got ${o.dim}`);
  for (const [name, i] of [['xIndex', o.xIndex], ['yIndex', o.yIndex]] as const) {
    if (!Number.isInteger(i) || i < 0 || i >= o.dim) throw new Error(`plot: ${name} ${i} is outside 0..${o.dim - 1}`);
  }
  if (o.points.length % o.dim !== 0) throw new Error(`plot: points length ${o.points.length} is not a multiple of dim ${o.dim}`);
  if (o.reference && o.reference.length % o.dim !== 0) {
    throw new Error(`plot: reference length ${o.reference.length} is not a multiple of dim ${o.dim}`);
  }
  const g = o.density;
  if (g && g.logDensity.length !== g.xs.length * g.ys.length) {
    throw new Error(`plot: logDensity has ${g.logDensity.length} values, expected ys.length * xs.length = ${g.ys.length * g.xs.length}`);
  }
  if (o.domain) {
    for (const [axis, [lo, hi]] of [['x', o.domain.x], ['y', o.domain.y]] as const) {
      if (!(Number.isFinite(lo) && Number.isFinite(hi) && lo < hi)) throw new Error(`plot: domain.${axis} [${lo}, ${hi}] must be finite and increasing`);
    }
  }
}

/** Cell edges halfway between centres, the outer ones half a step beyond, so uneven grids work too. */
function edges(c: number[]): number[] {
  if (c.length === 1) return [c[0] - 0.5, c[0] + 0.5];
  const e = [c[0] - (c[1] - c[0]) / 2];
  for (let i = 0; i + 1 < c.length; i++) e.push((c[i] + c[i + 1]) / 2);
  e.push(c[c.length - 1] + (c[c.length - 1] - c[c.length - 2]) / 2);
  return e;
}

function extentOf(values: number[], margin: number): Range {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (!Number.isFinite(lo)) return [-1, 1];
  const pad = hi > lo ? (hi - lo) * margin : Math.max(Math.abs(lo) * 0.1, 1);
  return [lo - pad, hi + pad];
}

/** Picks the two plotted coordinates, dropping non-finite points (Vega cannot place them). */
function project(flat: Float64Array, o: ScatterOptions): XY[] {
  const out: XY[] = [];
  for (let k = 0; k < flat.length; k += o.dim) {
    const x = flat[k + o.xIndex];
    const y = flat[k + o.yIndex];
    if (Number.isFinite(x) && Number.isFinite(y)) out.push({ x, y });
  }
  return out;
}

function defaultDomain(o: ScatterOptions, points: XY[], reference: XY[]): Domain {
  if (o.density && o.density.xs.length > 0 && o.density.ys.length > 0) {
    const ex = edges(o.density.xs);
    const ey = edges(o.density.ys);
    return { x: [ex[0], ex[ex.length - 1]], y: [ey[0], ey[ey.length - 1]] };
  }
  const all = points.concat(reference);
  return { x: extentOf(all.map((p) => p.x), 0.05), y: extentOf(all.map((p) => p.y), 0.05) };
}

/** Heatmap cells with density divided by its maximum (taken in log space, so it cannot overflow). */
function densityCells(g: DensityGrid, dom: Domain): Cell[] {
  let max = -Infinity;
  for (const v of g.logDensity) if (v > max) max = v;
  if (!Number.isFinite(max)) return [];
  const ex = edges(g.xs);
  const ey = edges(g.ys);
  const cells: Cell[] = [];
  for (let j = 0; j < g.ys.length; j++) {
    if (!(ey[j + 1] > dom.y[0] && ey[j] < dom.y[1])) continue;
    for (let i = 0; i < g.xs.length; i++) {
      if (!(ex[i + 1] > dom.x[0] && ex[i] < dom.x[1])) continue;
      const d = Math.exp(g.logDensity[j * g.xs.length + i] - max);
      // NaN cells are left out; -Infinity gives d = 0, the background colour anyway.
      if (d > 0) cells.push({ x: ex[i], x2: ex[i + 1], y: ey[j], y2: ey[j + 1], d });
    }
  }
  return cells;
}

const inside = (dom: Domain) => (p: XY): boolean =>
  p.x >= dom.x[0] && p.x <= dom.x[1] && p.y >= dom.y[0] && p.y <= dom.y[1];

/**
 * Validates the options and prepares what is drawn. Marks wholly outside the
 * axes are dropped, not just clipped: resvg-js 2.6.2 aborts the whole process
 * (an uncatchable Rust panic, thx/resvg-js#287) on a clipped or translucent
 * element that lies entirely outside the image.
 */
export function scatterData(o: ScatterOptions): ScatterData {
  checkOptions(o);
  const points = project(o.points, o);
  const reference = o.reference ? project(o.reference, o) : [];
  const domain = o.domain ?? defaultDomain(o, points, reference);
  return {
    domain,
    points: points.filter(inside(domain)),
    reference: reference.filter(inside(domain)),
    cells: o.density ? densityCells(o.density, domain) : [],
  };
}
