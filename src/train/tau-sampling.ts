import { bisectTau } from '../process/bisect-tau.js';
import type { GaussianPath } from '../process/index.js';

/** How training draws its noise levels tau. */
export const TAU_SAMPLINGS = ['uniform', 'logistic'] as const;
export type TauSampling = (typeof TAU_SAMPLINGS)[number];

/** The noise's share of x's variance, b^2 / (a^2 + b^2) = 1 / (1 + SNR); increasing in tau. */
export function noiseShare(path: GaussianPath, tau: number): number {
  const { a, b } = path.coefficients(tau);
  return (b * b) / (a * a + b * b);
}

/**
 * The noise level for one uniform draw u in [0, 1).
 * - uniform: tau = tauMin + u (tauMax - tauMin).
 * - logistic: log-SNR standard-logistic, truncated to the process's range;
 *   equivalently the noise share uniform between its values at tauMin and tauMax.
 *   Both processes then train on the same signal-to-noise ratios: PBM with
 *   sigma = 1 has noise share = tau, so there it is the uniform draw, while VP's
 *   linear beta puts 41% of uniform taus at log-SNR below -3.5 (almost pure
 *   noise), where this puts 3%.
 */
export function tauFromUniform(path: GaussianPath, sampling: TauSampling, u: number): number {
  const { tauMin, tauMax } = path;
  if (sampling === 'uniform') return tauMin + (tauMax - tauMin) * u;
  const lo = noiseShare(path, tauMin);
  const want = lo + (noiseShare(path, tauMax) - lo) * u;
  return bisectTau((tau) => noiseShare(path, tau), want, tauMin, tauMax);
}
