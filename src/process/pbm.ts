import type { GaussianPath } from './gaussian-path.js';

export interface PbmParams {
  sigma: number;
  tauMin: number;
  tauMax: number;
}

export const PBM_DEFAULTS: PbmParams = { sigma: 1, tauMin: 1e-3, tauMax: 1 - 1e-3 };

/**
 * Pinned Brownian motion (Foellmer bridge to the origin): a = 1 - tau,
 * b = sigma sqrt(tau (1 - tau)). Both ends are singular, hence tauMax < 1.
 */
export function pbmProcess(p: PbmParams = PBM_DEFAULTS): GaussianPath {
  return {
    name: 'pbm',
    params: { sigma: p.sigma, tau_min: p.tauMin, tau_max: p.tauMax },
    tauMin: p.tauMin,
    tauMax: p.tauMax,
    coefficients: (tau) => ({ a: 1 - tau, b: p.sigma * Math.sqrt(tau * (1 - tau)) }),
    drift: (tau) => -1 / (1 - tau),
    diffusionSquared: () => p.sigma * p.sigma,
    // The prior is the point 0: every trajectory starts pinned there.
    samplePrior: (n, d) => new Float64Array(n * d),
    priorDescription: 'the point 0',
  };
}
