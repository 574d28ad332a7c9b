import type { ScoreFunction } from './score-function.js';

/** Noise levels lo <= tau < hi; lo = hi is the empty band. */
export interface TauBand {
  lo: number;
  hi: number;
}

export const inBand = (band: TauBand, tau: number): boolean => tau >= band.lo && tau < band.hi;

/**
 * The score `base` everywhere except inside `band`, where `swapped` is used: with the network as
 * base and the exact score as swapped, a sampler whose error comes from outside the band only (and
 * the reverse). Each call goes to exactly one of the two, so an empty band is `base` itself.
 */
export function bandSwapScore(base: ScoreFunction, swapped: ScoreFunction, band: TauBand): ScoreFunction {
  return (x, tau, coeff) => (inBand(band, tau) ? swapped(x, tau, coeff) : base(x, tau, coeff));
}
