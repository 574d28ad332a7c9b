import { z } from 'zod';
import { checkInteger, checkPositive } from './checks.js';
import { GaussianMixture, MIXTURE_CAPABILITIES } from './mixture.js';
import { defineTarget } from './target-module.js';

export interface GaussianOptions {
  dim?: number;
  std?: number;
}

export const GAUSSIAN_DEFAULTS = { dim: 2, std: 1 } as const;

/**
 * The isotropic Gaussian N(0, s^2 I): a one-component mixture, so every noised quantity is
 * the mixture's exact formula. Its posterior covariance is the same at every x, and the
 * localisation is L = s^2 r^2 / (s^2 r^2 + 1) < 1 (docs/math.md section 6): the reference case of a
 * target that is easy at every noise level.
 */
export function gaussian(options: GaussianOptions = {}): GaussianMixture {
  const dim = checkInteger('gaussian dim', options.dim ?? GAUSSIAN_DEFAULTS.dim, 1);
  const std = checkPositive('gaussian std', options.std ?? GAUSSIAN_DEFAULTS.std);
  return new GaussianMixture(
    'gaussian',
    { weights: [1], means: [new Array<number>(dim).fill(0)], stds: [std] },
    {
      params: { dim, std },
      parameterDescriptions: [
        { name: 'dim', description: 'dimension d' },
        { name: 'std', description: 'standard deviation s of every coordinate' },
      ],
    },
  );
}

export const GAUSSIAN_TARGET = defineTarget({
  name: 'gaussian',
  summary: 'isotropic Gaussian N(0, s^2 I)',
  options: z
    .object({
      dim: z.number().int().min(1).default(GAUSSIAN_DEFAULTS.dim).describe('dimension d'),
      std: z.number().positive().finite().default(GAUSSIAN_DEFAULTS.std).describe('standard deviation s of every coordinate'),
    })
    .strict(),
  requestKeys: { dim: 'dim', std: 'std' },
  capabilities: MIXTURE_CAPABILITIES,
  build: (options) => gaussian(options),
});
