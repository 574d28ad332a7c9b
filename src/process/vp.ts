import type { GaussianPath } from './gaussian-path.js';

export interface VpParams {
  betaMin: number;
  betaMax: number;
  tauMin: number;
  tauMax: number;
}

export const VP_DEFAULTS: VpParams = { betaMin: 0.1, betaMax: 20, tauMin: 1e-3, tauMax: 1 };

/** VP-SDE (Ornstein-Uhlenbeck with linear beta): smooths the data cloud into N(0, I). */
export function vpProcess(p: VpParams = VP_DEFAULTS): GaussianPath {
  const beta = (tau: number) => p.betaMin + tau * (p.betaMax - p.betaMin);
  const integratedBeta = (tau: number) => p.betaMin * tau + 0.5 * (p.betaMax - p.betaMin) * tau * tau;
  return {
    name: 'vp',
    params: { beta_min: p.betaMin, beta_max: p.betaMax, tau_min: p.tauMin, tau_max: p.tauMax },
    tauMin: p.tauMin,
    tauMax: p.tauMax,
    coefficients(tau) {
      const B = integratedBeta(tau);
      // expm1 keeps b accurate at small tau, where 1 - exp(-B) cancels.
      return { a: Math.exp(-0.5 * B), b: Math.sqrt(-Math.expm1(-B)) };
    },
    drift: (tau) => -0.5 * beta(tau),
    diffusionSquared: (tau) => beta(tau),
    samplePrior: (n, d, rng) => rng.normals(n * d),
    priorDescription: 'N(0, I)',
  };
}
