/**
 * The accepted range of every numeric setting whose larger values cannot
 * work on the kind of machine this project runs on (2 CPU cores, about
 * 24 GiB of memory): they would run for days, or run out of memory, or
 * repeat what smaller values already give. The flags of every command take
 * their bounds from here (and quote `why` when refusing), so a setting has
 * one range wherever it appears. Combinations (a wide network at a large
 * batch) are checked by the memory estimate in memory-estimate.ts.
 * docs/limits.md lists them with the settings that have no upper bound.
 */
export interface Bound {
  min: number;
  max: number;
  /** Why the bound is where it is, in a few words (printed with a refusal). */
  why: string;
}

export const LIMITS = {
  /** Optimiser updates (train, experiment, classifier). */
  trainSteps: { min: 1, max: 1e8, why: '1e8 updates take over 6 days at 190 steps/s, the fastest step measured here' },
  /** Reverse-SDE steps of a sampling. */
  samplerSteps: { min: 1, max: 1e6, why: '1e6 steps of 2000 points take about 3 hours' },
  /** Langevin corrector steps after each reverse-SDE step: each one costs as much as the step. */
  correctorSteps: { min: 0, max: 100, why: 'each corrector step costs as much as a sampler step' },
  /**
   * Samples of an evaluation. At least 2: unbiased MMD^2 and the image metrics' covariances compare
   * pairs of samples. At most 10000: the point metrics hold n x n matrices of doubles (0.8 GB each at
   * 10000) and take O(n^2) time per Sinkhorn iteration; at 20000 they ran over 9 minutes here without finishing.
   */
  samples: { min: 2, max: 10000, why: 'the metrics need 2 samples, and take n x n time and memory (0.8 GB a matrix at 10000)' },
  /** Examples per update, particles integrated together, points per batch. */
  batchSize: { min: 1, max: 1_000_000, why: 'a batch of 1e6 points already needs gigabytes of activations' },
  /** Hidden width of the MLP. */
  width: { min: 1, max: 16384, why: 'a 16384-wide layer holds 268M weights, 5 GB with the EMA, Adam moments and gradient' },
  /** Hidden layers of the MLP. */
  depth: { min: 1, max: 1000, why: 'each layer is a kernel call per step; deeper MLPs train no better without normalisation' },
  /** Dimension of a point target. */
  dim: { min: 1, max: 10000, why: 'an evaluation holds 4 copies of 2000 x dim doubles, and the exact score costs dim x components per point' },
  /** Components of the gmm target. */
  components: { min: 1, max: 10000, why: 'the exact score of every point at every step sums over all components' },
  /** Fourier frequencies of tau (2 input features each). */
  timeFrequencies: { min: 1, max: 1024, why: '2 input features each; tau in [0, 1] has no detail that more would resolve' },
  /** Highest Fourier frequency, cycles over tau in [0, 1]. */
  maxFrequency: { min: 0, max: 1e5, why: 'tau is float32 (resolution 6e-8): above 1e5 cycles the phase is noise' },
  /** U-Net channels of one level. */
  channels: { min: 1, max: 1024, why: 'a 3x3 convolution of 1024 channels on 28 x 28 images takes minutes per batch on 2 cores' },
  /** U-Net residual blocks per level. */
  blocksPerLevel: { min: 1, max: 16, why: 'each block adds two convolutions per level on the way down and up' },
  /** U-Net time-embedding width. */
  embedDim: { min: 1, max: 4096, why: 'wider than the widest level (1024 channels) by 4x is more than it can use' },
  /** Seeds are mixed as 32-bit integers: a larger one would repeat the stream of a smaller one. */
  seed: { min: -(2 ** 31), max: 2 ** 31 - 1, why: 'seeds are mixed as 32-bit integers' },
  /** Passes over the training images (classifier). */
  epochs: { min: 1, max: 1000, why: 'an epoch over 60000 images takes minutes on 2 cores' },
  /** Points of a diagnostics or score-error grid (r, u, delta values, noise levels). */
  gridPoints: { min: 1, max: 10000, why: 'each grid point is a full pass over the points' },
  /** Points drawn per noise level (diagnose --n, experiment --score-points). */
  points: { min: 1, max: 1_000_000, why: 'each point is a network (or exact-score) evaluation per grid point' },
  /** Points whose likelihood is computed: each is an ODE solve of 100 to 300 network evaluations. */
  likelihoodPoints: { min: 1, max: 100_000, why: '500 points of a 10-D network take 5 to 30 s here, so 1e5 take up to 2 hours' },
  /** Rademacher probes of the Hutchinson estimator. */
  probes: { min: 1, max: 1000, why: 'each probe is a vector-Jacobian product of the whole batch per evaluation; the error falls only as 1/sqrt(probes)' },
  /** Up to this dimension the likelihood's divergence is exact. */
  exactDivMaxDim: { min: 0, max: 10000, why: 'no target has more dimensions (--dim is at most 10000)' },
  /** bench --repeat-scale: multiplies every case's timed repeats. */
  repeatScale: { min: 0, max: 100, why: 'the default repeats already take minutes; 100x takes hours' },
} as const satisfies Record<string, Bound>;

export type LimitName = keyof typeof LIMITS;

/** "1e8", "10000", "1000000": a bound as the help and the refusals print it. */
export function formatBound(value: number): string {
  if (Math.abs(value) >= 1e7 && Number.isInteger(Math.log10(Math.abs(value)))) return `${value < 0 ? '-' : ''}1e${Math.log10(Math.abs(value))}`;
  return String(value);
}

/** "at most 1e8": what the help of a bounded flag adds. */
export function boundNote(name: LimitName): string {
  return `at most ${formatBound(LIMITS[name].max)}`;
}
