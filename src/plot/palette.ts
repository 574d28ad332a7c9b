/**
 * The colours of the samples plot, shared by the CLI's figures (scatter-spec.ts)
 * and the web page (src/public/page/), so both read alike. No imports: the page
 * bundles it for the browser.
 */

/**
 * ColorBrewer Blues (9 classes) for the target density (divided by its
 * maximum): perceptually ordered and white at zero density, so empty regions
 * stay blank and red samples stand out everywhere. Vega's built-in 'blues' is
 * cut off before white.
 */
export const DENSITY_BLUES = ['#f7fbff', '#deebf7', '#c6dbef', '#9ecae1', '#6baed6', '#4292c6', '#2171b5', '#08519c', '#08306b'] as const;
/** Where each colour sits on the density / max scale: evenly from 0 to 1. */
export const DENSITY_STOPS = DENSITY_BLUES.map((_, i) => i / (DENSITY_BLUES.length - 1));
export const SAMPLE_COLOUR = '#d62728';
export const REFERENCE_COLOUR = '#8c8c8c';
/** The legend's names of the two point sets. */
export const POINT_SET_NAMES = { reference: 'reference', samples: 'samples' } as const;
export const DENSITY_LEGEND_TITLE = 'density / max';

function rgbOf(hex: string): [number, number, number] {
  const v = Number.parseInt(hex.slice(1), 16);
  return [(v >> 16) & 255, (v >> 8) & 255, v & 255];
}

/** The colour of density / max = t in [0, 1], interpolated in RGB between the stops (as the CLI's scale does). */
export function densityColour(t: number): [number, number, number] {
  const u = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (DENSITY_BLUES.length - 1);
  const i = Math.min(Math.floor(u), DENSITY_BLUES.length - 2);
  const f = u - i;
  const a = rgbOf(DENSITY_BLUES[i]!);
  const b = rgbOf(DENSITY_BLUES[i + 1]!);
  return [0, 1, 2].map((c) => Math.round(a[c]! + f * (b[c]! - a[c]!))) as [number, number, number];
}
