import type { Rng } from '../rng.js';

/**
 * Likelihoods of 8-bit images (score_sde's convention, Song et al. 2021): a
 * pixel byte k in 0..255 is dequantised uniformly, u = (k + U) / 256 with
 * U ~ Uniform[0, 1), and mapped to the model's [-1, 1] as y = 2 u - 1. Then
 * log P(k) >= E_U[log p_model(y)] + d log(2 / 256): the density of u is p(y) 2^d,
 * and a unit cube of side 1/256 holds the probability of k. So
 *   bits/dim = (NLL_y + d log 128) / (d log 2) = NLL_y / (d log 2) + 7.
 */
export const DEQUANTISATION =
  'uniform dequantisation of 8-bit pixels, y = 2 (k + U) / 256 - 1 with U ~ Uniform[0, 1); ' +
  'bits/dim = (NLL_y + d ln 128) / (d ln 2), the [-1, 1] scaling and the 1/256 bins included';

/** bits/dim of the 8-bit data from the mean NLL (nats) of the dequantised [-1, 1] points. */
export function bitsPerDim(nllNats: number, dim: number): number {
  return (nllNats + dim * Math.log(128)) / (dim * Math.LN2);
}

/** Points in [-1, 1] on the byte grid (k / 127.5 - 1, as the data source scales them) to dequantised y = 2 (k + U) / 256 - 1. */
export function dequantise(pixels: ArrayLike<number>, rng: Rng): Float64Array {
  const out = new Float64Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) {
    const byte = Math.min(255, Math.max(0, Math.round((pixels[i]! + 1) * 127.5)));
    out[i] = (2 * (byte + rng.uniform())) / 256 - 1;
  }
  return out;
}
