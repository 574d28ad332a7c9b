import { GaussianMixture } from './mixture.js';

export interface GaussianOptions {
  dim?: number;
  std?: number;
}

export const GAUSSIAN_DEFAULTS = { dim: 2, std: 1 } as const;

/**
 * The isotropic Gaussian N(0, s^2 I): a one-component mixture, so every noised quantity is
 * the mixture's exact formula. Its posterior covariance is the same at every x, and the
 * localisation is L = s^2 r^2 / (s^2 r^2 + 1) < 1 (MATH section 6): the reference case of a
 * target that is easy at every noise level.
 */
export function gaussian(options: GaussianOptions = {}): GaussianMixture {
  const dim = options.dim ?? GAUSSIAN_DEFAULTS.dim;
  const std = options.std ?? GAUSSIAN_DEFAULTS.std;
  if (!Number.isInteger(dim) || dim < 1) throw new RangeError(`gaussian dim must be a positive integer, got ${dim}`);
  if (!(std > 0) || !Number.isFinite(std)) throw new RangeError(`gaussian std must be positive and finite, got ${std}`);
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
