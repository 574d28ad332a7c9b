/**
 * Axes, ticks, labels and the legend of the page's samples plot, drawn as SVG
 * over the canvas (so the tick labels are text a reader can select and a test
 * can find). Colours and names come from the CLI plot's palette.
 */
import { DENSITY_BLUES, DENSITY_LEGEND_TITLE, POINT_SET_NAMES, REFERENCE_COLOUR, SAMPLE_COLOUR } from '../../plot/palette.js';
import type { View } from './plot.js';

const SVG = 'http://www.w3.org/2000/svg';

/** Where the plotting area sits in the figure, in CSS pixels. */
export interface FigureLayout {
  left: number;
  top: number;
  size: number;
  width: number;
  height: number;
}

/** About `count` round ticks (1, 2 or 5 times a power of ten apart) inside [lo, hi]. */
export function niceTicks(lo: number, hi: number, count = 6): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  const ticks: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-9 * step; v += step) ticks.push(Math.abs(v) < 1e-12 * step ? 0 : v);
  return ticks;
}

/** A tick value with the decimals its spacing needs. */
export function tickLabel(value: number, step: number): string {
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  return value.toFixed(Math.min(decimals, 10));
}

function el(name: string, attrs: Record<string, string | number>, text?: string): SVGElement {
  const node = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

/** Empties the overlay (an image grid has no axes). */
export function clearAxes(svg: SVGSVGElement): void {
  svg.replaceChildren();
}

/**
 * Draws the frame, ticks and their labels, the axis titles and the legend.
 * `density`: whether the target density is shaded (a gradient in the legend);
 * `reference`: whether reference points are drawn.
 */
export function drawAxes(svg: SVGSVGElement, layout: FigureLayout, view: View, labels: { x: string; y: string }, legend: { density: boolean; reference: boolean }): void {
  const { left, top, size } = layout;
  svg.replaceChildren();
  svg.setAttribute('width', String(layout.width));
  svg.setAttribute('height', String(layout.height));
  svg.setAttribute('viewBox', `0 0 ${layout.width} ${layout.height}`);
  const axes = el('g', { class: 'axes', 'font-size': 11, fill: '#333' });
  axes.append(el('rect', { x: left, y: top, width: size, height: size, fill: 'none', stroke: '#333', 'stroke-width': 1 }));
  const ticks = niceTicks(view.x0, view.x0 + view.size);
  const step = ticks.length > 1 ? ticks[1]! - ticks[0]! : view.size;
  const toPx = (v: number) => ((v - view.x0) / view.size) * size;
  for (const v of ticks) {
    const x = left + toPx(v);
    axes.append(el('line', { class: 'tick x', x1: x, x2: x, y1: top + size, y2: top + size + 5, stroke: '#333' }));
    axes.append(el('text', { class: 'tick-label x', x, y: top + size + 17, 'text-anchor': 'middle' }, tickLabel(v, step)));
  }
  const yTicks = niceTicks(view.y0, view.y0 + view.size);
  const yStep = yTicks.length > 1 ? yTicks[1]! - yTicks[0]! : view.size;
  for (const v of yTicks) {
    const y = top + size - ((v - view.y0) / view.size) * size;
    axes.append(el('line', { class: 'tick y', x1: left - 5, x2: left, y1: y, y2: y, stroke: '#333' }));
    axes.append(el('text', { class: 'tick-label y', x: left - 8, y: y + 4, 'text-anchor': 'end' }, tickLabel(v, yStep)));
  }
  axes.append(el('text', { class: 'axis-title x', x: left + size / 2, y: top + size + 36, 'text-anchor': 'middle', 'font-size': 13 }, labels.x));
  const yTitle = el('text', { class: 'axis-title y', x: 0, y: 0, 'text-anchor': 'middle', 'font-size': 13, transform: `translate(${left - 44} ${top + size / 2}) rotate(-90)` }, labels.y);
  axes.append(yTitle);
  svg.append(axes);
  svg.append(legendOf(left + size + 16, top, legend));
}

function legendOf(x: number, y: number, show: { density: boolean; reference: boolean }): SVGElement {
  const g = el('g', { class: 'legend', 'font-size': 12, fill: '#333' });
  let row = y + 8;
  const item = (colour: string, name: string) => {
    g.append(el('circle', { cx: x + 5, cy: row, r: 4, fill: colour }));
    g.append(el('text', { class: 'legend-label', x: x + 14, y: row + 4 }, name));
    row += 20;
  };
  if (show.reference) item(REFERENCE_COLOUR, POINT_SET_NAMES.reference);
  item(SAMPLE_COLOUR, POINT_SET_NAMES.samples);
  if (show.density) {
    row += 8;
    g.append(el('text', { class: 'legend-label', x, y: row }, DENSITY_LEGEND_TITLE));
    const defs = el('defs', {});
    const gradient = el('linearGradient', { id: 'density-gradient', x1: 0, y1: 1, x2: 0, y2: 0 });
    DENSITY_BLUES.forEach((c, i) => gradient.append(el('stop', { offset: i / (DENSITY_BLUES.length - 1), 'stop-color': c })));
    defs.append(gradient);
    g.append(defs);
    const top = row + 8;
    const height = 120;
    g.append(el('rect', { x, y: top, width: 14, height, fill: 'url(#density-gradient)', stroke: '#999' }));
    for (const v of [0, 0.5, 1]) g.append(el('text', { class: 'legend-label', x: x + 20, y: top + height - v * height + 4 }, v.toFixed(1)));
  }
  return g;
}
