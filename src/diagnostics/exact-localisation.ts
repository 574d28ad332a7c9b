import type { PathCoefficients, Points, Target } from '../../datasets/target.js';
import { largestEigenvalue } from '../linalg/symmetric-eigen.js';

/**
 * L(x) = largest eigenvalue of C = Cov[r x0 | x] = (a / b)^2 Cov[x0 | x], from the target's
 * exact posterior covariance (mixture formulas, the funnel's v-grid, the two-point logistic).
 */
export function exactLocalisation(target: Target, x: Points, level: PathCoefficients): Float64Array {
  const d = target.dim;
  const n = x.length / d;
  const r2 = (level.a / level.b) ** 2;
  const blocks = target.posteriorCovariance(x, level);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = r2 * largestEigenvalue(blocks, d, i * d * d);
  return out;
}
