import { z } from 'zod';
import { Rng } from '../src/rng.js';
import { checkPath, countRows } from './checks.js';
import { defineTarget } from './target-module.js';
import type {
  MixtureInfo,
  ParameterDescription,
  PathCoefficients,
  Points,
  Target,
} from './target.js';

const LOG_2PI = Math.log(2 * Math.PI);

/** Optional extras a factory attaches to a mixture: its own parameters and their meaning. */
export interface MixtureExtras {
  params?: Record<string, unknown>;
  parameterDescriptions?: ParameterDescription[];
}

const MIXTURE_DESCRIPTIONS: ParameterDescription[] = [
  { name: 'weights', description: 'mixture weights w_k (normalised to sum to 1)' },
  { name: 'means', description: 'component means mu_k, one array of length dim per component' },
  { name: 'stds', description: 'isotropic standard deviation s_k of each component' },
];

/**
 * Mixture of isotropic Gaussians sum_k w_k N(mu_k, s_k^2 I). Under x = a x0 + b eps the
 * marginal is again a mixture, with means a mu_k and variances v_k = a^2 s_k^2 + b^2
 * (docs/math.md section 5), so every noised quantity is exact.
 */
export class GaussianMixture implements Target {
  readonly dim: number;
  readonly params: Record<string, unknown>;
  readonly parameterDescriptions: ParameterDescription[];
  readonly dataStd: number;
  readonly mixture: MixtureInfo;

  private readonly logWeights: Float64Array;
  /** Means flattened row-major (K x d). */
  private readonly meanTable: Float64Array;
  private readonly cumulativeWeights: Float64Array;

  constructor(
    readonly name: string,
    spec: MixtureInfo,
    extras: MixtureExtras = {},
  ) {
    const k = spec.weights.length;
    if (k === 0 || spec.means.length !== k || spec.stds.length !== k) {
      throw new RangeError('mixture needs as many means and stds as weights, and at least one component');
    }
    const dim = spec.means[0].length;
    if (dim === 0 || spec.means.some((m) => m.length !== dim)) {
      throw new RangeError('every mixture mean needs the same positive dimension');
    }
    if (spec.weights.some((w) => !(w > 0) || !Number.isFinite(w))) {
      throw new RangeError('mixture weights must be positive and finite');
    }
    if (spec.stds.some((s) => !(s > 0) || !Number.isFinite(s))) {
      throw new RangeError('mixture stds must be positive and finite');
    }
    const total = spec.weights.reduce((acc, w) => acc + w, 0);
    const weights = spec.weights.map((w) => w / total);
    this.mixture = {
      weights,
      means: spec.means.map((m) => [...m]),
      stds: [...spec.stds],
    };
    this.dim = dim;
    this.params = { ...extras.params, ...this.mixture };
    this.parameterDescriptions = [...(extras.parameterDescriptions ?? []), ...MIXTURE_DESCRIPTIONS];
    this.logWeights = Float64Array.from(weights, Math.log);
    this.meanTable = Float64Array.from(spec.means.flat());
    this.cumulativeWeights = new Float64Array(k);
    let acc = 0;
    for (let c = 0; c < k; c++) this.cumulativeWeights[c] = acc += weights[c];
    this.dataStd = mixtureDataStd(this.mixture);
  }

  private get components(): number {
    return this.logWeights.length;
  }

  sample(n: number, rng: Rng): Points {
    const d = this.dim;
    const out = new Float64Array(n * d);
    const last = this.components - 1;
    for (let i = 0; i < n; i++) {
      const u = rng.uniform();
      let c = 0;
      while (c < last && u >= this.cumulativeWeights[c]) c++;
      const s = this.mixture.stds[c];
      for (let j = 0; j < d; j++) out[i * d + j] = this.meanTable[c * d + j] + s * rng.normal();
    }
    return out;
  }

  logDensity(x: Points): Float64Array {
    return this.noisedLogDensity(x, { a: 1, b: 0 });
  }

  noisedLogDensity(x: Points, path: PathCoefficients): Float64Array {
    const ws = this.workspace(path);
    const n = countRows(x, this.dim);
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = this.responsibilities(x, i, ws);
    return out;
  }

  noisedScore(x: Points, path: PathCoefficients): Points {
    const d = this.dim;
    const ws = this.workspace(path);
    const n = countRows(x, this.dim);
    const out = new Float64Array(n * d);
    for (let i = 0; i < n; i++) {
      this.responsibilities(x, i, ws);
      for (let c = 0; c < this.components; c++) {
        const g = ws.gamma[c] / ws.variance[c];
        if (g === 0) continue;
        for (let j = 0; j < d; j++) {
          out[i * d + j] += g * (path.a * this.meanTable[c * d + j] - x[i * d + j]);
        }
      }
    }
    return out;
  }

  posteriorMean(x: Points, path: PathCoefficients): Points {
    const d = this.dim;
    const ws = this.workspace(path);
    const n = countRows(x, this.dim);
    const out = new Float64Array(n * d);
    for (let i = 0; i < n; i++) {
      this.responsibilities(x, i, ws);
      this.componentMeans(x, i, ws, path);
      for (let c = 0; c < this.components; c++) {
        const g = ws.gamma[c];
        for (let j = 0; j < d; j++) out[i * d + j] += g * ws.posteriorMeans[c * d + j];
      }
    }
    return out;
  }

  posteriorCovariance(x: Points, path: PathCoefficients): Float64Array {
    const d = this.dim;
    const ws = this.workspace(path);
    const n = countRows(x, this.dim);
    const out = new Float64Array(n * d * d);
    const mean = new Float64Array(d);
    const b2 = path.b * path.b;
    for (let i = 0; i < n; i++) {
      this.responsibilities(x, i, ws);
      this.componentMeans(x, i, ws, path);
      mean.fill(0);
      for (let c = 0; c < this.components; c++) {
        for (let j = 0; j < d; j++) mean[j] += ws.gamma[c] * ws.posteriorMeans[c * d + j];
      }
      // Sum of gamma_k (c_k I + (m_k - mean)(m_k - mean)^T): the centred form avoids the
      // cancellation of sum gamma_k m_k m_k^T - mean mean^T when the posterior is narrow.
      const block = i * d * d;
      for (let c = 0; c < this.components; c++) {
        const g = ws.gamma[c];
        if (g === 0) continue;
        const s2 = this.mixture.stds[c] ** 2;
        const within = (s2 * b2) / ws.variance[c];
        for (let j = 0; j < d; j++) {
          const dj = ws.posteriorMeans[c * d + j] - mean[j];
          out[block + j * d + j] += g * within;
          for (let l = 0; l < d; l++) {
            out[block + j * d + l] += g * dj * (ws.posteriorMeans[c * d + l] - mean[l]);
          }
        }
      }
    }
    return out;
  }

  /** Per-call constants and scratch buffers for one noise level. */
  private workspace(path: PathCoefficients): Workspace {
    const { a, b } = checkPath(path);
    const k = this.components;
    const variance = Float64Array.from(this.mixture.stds, (s) => a * a * s * s + b * b);
    return {
      variance,
      logNormaliser: Float64Array.from(variance, (v, c) => this.logWeights[c] - 0.5 * this.dim * (LOG_2PI + Math.log(v))),
      logits: new Float64Array(k),
      gamma: new Float64Array(k),
      posteriorMeans: new Float64Array(k * this.dim),
      a,
    };
  }

  /** Fills gamma with the component posteriors at point i; returns log p_tau(x_i). */
  private responsibilities(x: Points, i: number, ws: Workspace): number {
    const d = this.dim;
    const { a } = ws;
    let max = -Infinity;
    for (let c = 0; c < this.components; c++) {
      let sq = 0;
      for (let j = 0; j < d; j++) {
        const diff = x[i * d + j] - a * this.meanTable[c * d + j];
        sq += diff * diff;
      }
      const logit = ws.logNormaliser[c] - (0.5 * sq) / ws.variance[c];
      ws.logits[c] = logit;
      if (logit > max) max = logit;
    }
    let sum = 0;
    for (let c = 0; c < this.components; c++) sum += ws.gamma[c] = Math.exp(ws.logits[c] - max);
    for (let c = 0; c < this.components; c++) ws.gamma[c] /= sum;
    return max + Math.log(sum);
  }

  /** m_k = mu_k + (a s_k^2 / v_k)(x - a mu_k): the posterior mean within each component. */
  private componentMeans(x: Points, i: number, ws: Workspace, path: PathCoefficients): void {
    const d = this.dim;
    const { a } = path;
    for (let c = 0; c < this.components; c++) {
      const gain = (a * this.mixture.stds[c] ** 2) / ws.variance[c];
      for (let j = 0; j < d; j++) {
        const mu = this.meanTable[c * d + j];
        ws.posteriorMeans[c * d + j] = mu + gain * (x[i * d + j] - a * mu);
      }
    }
  }
}

interface Workspace {
  a: number;
  variance: Float64Array;
  /** log w_k - (d/2) log(2 pi v_k). */
  logNormaliser: Float64Array;
  logits: Float64Array;
  gamma: Float64Array;
  posteriorMeans: Float64Array;
}

/** sqrt(total variance / d) from the mixture's exact first two moments. */
function mixtureDataStd({ weights, means, stds }: MixtureInfo): number {
  const d = means[0].length;
  const mean = new Array<number>(d).fill(0);
  let secondMoment = 0;
  weights.forEach((w, c) => {
    means[c].forEach((m, j) => (mean[j] += w * m));
    secondMoment += w * (d * stds[c] ** 2 + means[c].reduce((acc, m) => acc + m * m, 0));
  });
  const totalVariance = secondMoment - mean.reduce((acc, m) => acc + m * m, 0);
  return Math.sqrt(totalVariance / d);
}

/** Nine modes on the grid {-5, 0, 5}^2, variance 0.3 per axis, equal weights. */
export function grid9(): GaussianMixture {
  const means: number[][] = [];
  for (const u of [-5, 0, 5]) for (const v of [-5, 0, 5]) means.push([u, v]);
  return new GaussianMixture('grid9', {
    weights: means.map(() => 1 / 9),
    means,
    stds: means.map(() => Math.sqrt(0.3)),
  });
}

/** Eight modes evenly on the circle of radius 5 (angles 2 pi k / 8), std 0.5, equal weights. */
export function ring8(): GaussianMixture {
  const means = Array.from({ length: 8 }, (_, k) => {
    const angle = (2 * Math.PI * k) / 8;
    return [5 * Math.cos(angle), 5 * Math.sin(angle)];
  });
  return new GaussianMixture('ring8', {
    weights: means.map(() => 1 / 8),
    means,
    stds: means.map(() => 0.5),
  });
}

export interface GmmOptions {
  components?: number;
  dim?: number;
  seed?: number;
}

export const GMM_DEFAULTS = { components: 10, dim: 10, seed: 0 } as const;

/**
 * K equally weighted unit-std components in d dimensions, means uniform in [-5, 5]^d drawn
 * from Rng.fromSeed(seed), component by component, coordinate by coordinate.
 */
export function gmm(options: GmmOptions = {}): GaussianMixture {
  const components = options.components ?? GMM_DEFAULTS.components;
  const dim = options.dim ?? GMM_DEFAULTS.dim;
  const seed = options.seed ?? GMM_DEFAULTS.seed;
  const rng = Rng.fromSeed(seed);
  const means = Array.from({ length: components }, () =>
    Array.from({ length: dim }, () => -5 + 10 * rng.uniform()),
  );
  return new GaussianMixture(
    'gmm',
    { weights: means.map(() => 1 / components), means, stds: means.map(() => 1) },
    {
      params: { components, dim, seed },
      parameterDescriptions: [
        { name: 'components', description: 'number of mixture components K' },
        { name: 'dim', description: 'dimension d' },
        { name: 'seed', description: 'seed of the Rng that draws the means uniformly in [-5, 5]^d' },
      ],
    },
  );
}

/** Capabilities every Gaussian mixture shares: exact everything, and its components for the mode metrics. */
export const MIXTURE_CAPABILITIES = { exactScore: true, logDensity: true, mixture: true, marginal: false, nodeOnly: false } as const;

export const GRID9_TARGET = defineTarget({
  name: 'grid9',
  summary: '2-D mixture of 9 Gaussians on {-5, 0, 5}^2, variance 0.3 per axis',
  options: z.object({}).strict(),
  capabilities: MIXTURE_CAPABILITIES,
  build: () => grid9(),
});

export const RING8_TARGET = defineTarget({
  name: 'ring8',
  summary: '2-D mixture of 8 Gaussians on the circle of radius 5, std 0.5',
  options: z.object({}).strict(),
  capabilities: MIXTURE_CAPABILITIES,
  build: () => ring8(),
});

export const GMM_TARGET = defineTarget({
  name: 'gmm',
  summary: 'K equally weighted unit-std Gaussians in d dimensions, means uniform in [-5, 5]^d',
  options: z
    .object({
      components: z.number().int().min(1).default(GMM_DEFAULTS.components).describe('number of components K'),
      dim: z.number().int().min(1).default(GMM_DEFAULTS.dim).describe('dimension d'),
      seed: z.number().int().default(GMM_DEFAULTS.seed).describe('seed of the means, uniform in [-5, 5]^d'),
    })
    .strict(),
  requestKeys: { dim: 'dim', components: 'components', targetSeed: 'seed' },
  // The same mixture for a run's seed unless --target-seed fixes it.
  runSeedOption: 'seed',
  capabilities: MIXTURE_CAPABILITIES,
  build: (options) => gmm(options),
});
