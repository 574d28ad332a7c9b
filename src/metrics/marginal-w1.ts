import type { NormalMarginal, Points } from '../../datasets/target.js';
import { normalCdfIntegral, normalQuantile } from './normal.js';
import { pointCount } from './pairwise.js';

/** Wasserstein-1 between the empirical law of the first coordinate and N(0, scale^2); see marginalW1. */
export function firstCoordinateW1(x: Points, d: number, scale: number): number {
  return marginalW1(x, d, { coordinate: 0, mean: 0, std: scale });
}

/**
 * Wasserstein-1 between the empirical law of one coordinate and its known
 * law N(mean, std^2), exactly: the integral of |F_n(t) - Phi(t / std)| over the
 * centred values, done piecewise between order statistics with Psi, the
 * antiderivative of Phi.
 */
export function marginalW1(x: Points, d: number, marginal: NormalMarginal): number {
  const { coordinate, mean, std: scale } = marginal;
  const n = pointCount(x, d);
  if (n < 1) throw new RangeError('W1 needs at least one point');
  if (!(scale > 0)) throw new RangeError(`scale must be positive, got ${scale}`);
  if (!(Number.isInteger(coordinate) && coordinate >= 0 && coordinate < d)) {
    throw new RangeError(`coordinate must be an integer in [0, ${d}), got ${coordinate}`);
  }
  const v = Float64Array.from({ length: n }, (_, i) => x[i * d + coordinate]! - mean).sort();
  const s = scale;
  // Antiderivative of (c - Phi(t / s)).
  const G = (t: number, c: number) => c * t - s * normalCdfIntegral(t / s);
  let total = s * normalCdfIntegral(v[0]! / s) + s * normalCdfIntegral(-v[n - 1]! / s);
  for (let i = 1; i < n; i++) {
    const [a, b, c] = [v[i - 1]!, v[i]!, i / n];
    if (b === a) continue;
    const crossing = s * normalQuantile(c);
    if (crossing <= a) total += G(a, c) - G(b, c);
    else if (crossing >= b) total += G(b, c) - G(a, c);
    else total += 2 * G(crossing, c) - G(a, c) - G(b, c);
  }
  return total;
}
