import { z } from 'zod';
import { LINEAR_BETA_FORMULAS, linearBeta, linearBetaOptions } from './linear-beta.js';
import { defineProcess, noiseRangeOptions } from './process-module.js';
import { STANDARD_NORMAL_PRIOR } from './prior.js';

/**
 * sub-VP SDE (Song et al. 2021): VP's drift and schedule with a smaller diffusion, so that
 * b^2 = (1 - exp(-B))^2 stays below VP's variance at every tau.
 */
export const subVpModule = defineProcess({
  name: 'sub-vp',
  label: 'sub-VP',
  summary: 'sub-variance preserving (Song et al. 2021): VP drift, b = 1 - exp(-B), towards N(0, I)',
  options: z
    .object({
      ...linearBetaOptions('sub-VP'),
      ...noiseRangeOptions({ tauMin: 1e-3, tauMax: 1 }),
    })
    .strict(),
  path(o) {
    const { beta, integrated } = linearBeta(o.betaMin, o.betaMax);
    return {
      // expm1 keeps b and g^2 accurate at small tau, where 1 - exp(-B) cancels.
      coefficients(tau) {
        const B = integrated(tau);
        return { a: Math.exp(-0.5 * B), b: -Math.expm1(-B) };
      },
      drift: (tau) => -0.5 * beta(tau),
      diffusionSquared: (tau) => -beta(tau) * Math.expm1(-2 * integrated(tau)),
    };
  },
  formulas: {
    ...LINEAR_BETA_FORMULAS,
    b: 'b(tau) = 1 - exp(-B(tau))  (computed as -expm1(-B))',
    f: 'f(tau) = -beta(tau) / 2',
    g2: 'g(tau)^2 = beta(tau) (1 - exp(-2 B(tau)))  (computed as -beta expm1(-2 B))',
  },
  singularAtOne: false,
  prior: STANDARD_NORMAL_PRIOR,
  samplingCost: 1,
});
