import { z } from 'zod';
import { LINEAR_BETA_FORMULAS, linearBeta, linearBetaOptions } from './linear-beta.js';
import { defineProcess, noiseRangeOptions } from './process-module.js';
import { STANDARD_NORMAL_PRIOR } from './prior.js';

/** VP-SDE (Ornstein-Uhlenbeck with linear beta): smooths the data cloud into N(0, I). */
export const vpModule = defineProcess({
  name: 'vp',
  label: 'VP',
  summary: 'variance preserving (Ornstein-Uhlenbeck, linear beta): smooths the data into N(0, I)',
  options: z
    .object({
      ...linearBetaOptions('VP'),
      ...noiseRangeOptions({ tauMin: 1e-3, tauMax: 1 }),
    })
    .strict(),
  path(o) {
    const { beta, integrated } = linearBeta(o.betaMin, o.betaMax);
    return {
      coefficients(tau) {
        const B = integrated(tau);
        // expm1 keeps b accurate at small tau, where 1 - exp(-B) cancels.
        return { a: Math.exp(-0.5 * B), b: Math.sqrt(-Math.expm1(-B)) };
      },
      drift: (tau) => -0.5 * beta(tau),
      diffusionSquared: (tau) => beta(tau),
    };
  },
  formulas: {
    ...LINEAR_BETA_FORMULAS,
    b: 'b(tau) = sqrt(1 - exp(-B(tau)))  (computed as sqrt(-expm1(-B)))',
    f: 'f(tau) = -beta(tau) / 2',
    g2: 'g(tau)^2 = beta(tau)',
  },
  singularAtOne: false,
  prior: STANDARD_NORMAL_PRIOR,
  samplingCost: 1,
});
