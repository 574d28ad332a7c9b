import { z } from 'zod';
import { defineProcess, noiseRangeOptions } from './process-module.js';
import { ORIGIN_PRIOR } from './prior.js';

/**
 * Pinned Brownian motion (Foellmer bridge to the origin): a = 1 - tau,
 * b = sigma sqrt(tau (1 - tau)). Both ends are singular, hence tauMax < 1.
 */
export const pbmModule = defineProcess({
  name: 'pbm',
  label: 'PBM',
  summary: 'pinned Brownian motion (Foellmer bridge): pins the data to the point 0',
  options: z
    .object({
      sigma: z.number().positive().default(1).describe('PBM sigma: the diffusion, g(tau) = sigma'),
      ...noiseRangeOptions({ tauMin: 1e-3, tauMax: 1 - 1e-3 }),
    })
    .strict(),
  path: (o) => ({
    coefficients: (tau) => ({ a: 1 - tau, b: o.sigma * Math.sqrt(tau * (1 - tau)) }),
    drift: (tau) => -1 / (1 - tau),
    diffusionSquared: () => o.sigma * o.sigma,
  }),
  formulas: {
    a: 'a(tau) = 1 - tau',
    b: 'b(tau) = sigma sqrt(tau (1 - tau))',
    f: 'f(tau) = -1 / (1 - tau)',
    g2: 'g(tau)^2 = sigma^2',
  },
  singularAtOne: true,
  prior: ORIGIN_PRIOR,
  samplingCost: 5,
});
