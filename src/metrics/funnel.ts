import type { Points } from '../../datasets/target.js';
import { normalCdfIntegral, normalQuantile } from './normal.js';
import { pointCount } from './pairwise.js';

/**
 * Wasserstein-1 between the empirical law of the first coordinate and
 * N(0, scale^2), exactly: the integral of |F_n(t) - Phi(t / scale)|, done
 * piecewise between order statistics with Psi, the antiderivative of Phi.
 */
export function firstCoordinateW1(x: Points, d: number, scale: number): number {
  const n = pointCount(x, d);
  if (n < 1) throw new RangeError('W1 needs at least one point');
  if (!(scale > 0)) throw new RangeError(`scale must be positive, got ${scale}`);
  const v = Float64Array.from({ length: n }, (_, i) => x[i * d]!).sort();
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
