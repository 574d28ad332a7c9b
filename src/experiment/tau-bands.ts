import type { TauBand } from '../sampler/band-swap.js';

/** The names of the bands, from the data end (small tau) to the prior / pinned end (large tau), for three bands. */
export const BAND_NAMES_3 = ['near_data', 'middle', 'near_prior'] as const;

/** Band names for `count` bands: the three named ones, else band1..bandN. */
export function bandNames(count: number): string[] {
  return count === 3 ? [...BAND_NAMES_3] : Array.from({ length: count }, (_, k) => `band${k + 1}`);
}

/**
 * `count` bands of equal width in tau over the process's range [tauMin, tauMax]: the lowest third
 * (near the data), the middle, the top third (near the prior or the pinned end) for count = 3. The
 * outer edges are open (0 and infinity) so the sampler's every tau falls in exactly one band.
 */
export function tauBands(tauMin: number, tauMax: number, count: number): (TauBand & { name: string })[] {
  const names = bandNames(count);
  const edge = (k: number) => tauMin + ((tauMax - tauMin) * k) / count;
  return names.map((name, k) => ({ name, lo: k === 0 ? 0 : edge(k), hi: k === count - 1 ? Number.POSITIVE_INFINITY : edge(k + 1) }));
}

/** The mean score error of the curve's points inside each band (null for a band without points). */
export function bandAverages(taus: readonly number[], errors: readonly number[], bands: readonly (TauBand & { name: string })[]): Record<string, number | null> {
  return Object.fromEntries(
    bands.map((band) => {
      const inside = errors.filter((_, k) => taus[k]! >= band.lo && taus[k]! < band.hi);
      return [band.name, inside.length === 0 ? null : inside.reduce((s, e) => s + e, 0) / inside.length];
    }),
  );
}
