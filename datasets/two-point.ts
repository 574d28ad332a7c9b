import { z } from 'zod';
import type { Rng } from '../src/rng.js';
import { checkInteger, checkPath, checkPositive, countRows } from './checks.js';
import { defineTarget } from './target-module.js';
import type { ParameterDescription, PathCoefficients, Points, Target } from './target.js';

const LOG_2PI = Math.log(2 * Math.PI);
const LOG_HALF = Math.log(0.5);

export interface TwoPointOptions {
  mu?: number;
  dim?: number;
}

export const TWO_POINT_DEFAULTS = { mu: 1, dim: 1 } as const;

/** log cosh z without overflow: |z| + log(1 + e^{-2|z|}) - log 2. */
function logCosh(z: number): number {
  const t = Math.abs(z);
  return t + Math.log1p(Math.exp(-2 * t)) + LOG_HALF;
}

/** 1 - tanh^2 z = 4 e^{-2|z|} / (1 + e^{-2|z|})^2, which keeps its digits where tanh z rounds to +-1. */
function sech2(z: number): number {
  const e = Math.exp(-2 * Math.abs(z));
  return (4 * e) / ((1 + e) * (1 + e));
}

/**
 * Mass 1/2 at -mu e_1 and 1/2 at +mu e_1 (docs/math.md section 6): the simplest target that is not
 * log-concave once smoothed little enough. A point mass has no density, and a Gaussian
 * mixture cannot have zero width, so this target has its own exact formulas. Under
 * x = a x0 + b eps with b > 0 only the first coordinate carries information, and the
 * posterior over the two atoms is logistic in x_1:
 *   P(+mu | x) = sigmoid(2z),  z = a mu x_1 / b^2,  E[x0 | x] = mu tanh(z) e_1,
 *   Var[x0_1 | x] = mu^2 (1 - tanh^2 z), every other posterior (co)variance 0.
 * With r = a / b and y = x / b, z = r mu y_1, so L = (r mu)^2 (1 - tanh^2(r mu y_1)).
 *
 * At b = 0 (the data itself) the law is atomic: `logDensity` and `noisedLogDensity` return
 * the log of the probability mass, log(1/2), at the two atoms (+-a mu e_1) and -Infinity
 * everywhere else; `noisedScore` is undefined there and throws.
 */
export class TwoPoint implements Target {
  readonly name = 'two-point';
  readonly dim: number;
  readonly mu: number;
  readonly params: Record<string, unknown>;
  readonly parameterDescriptions: ParameterDescription[] = [
    { name: 'mu', description: 'the atoms sit at -mu e_1 and +mu e_1, mass 1/2 each' },
    { name: 'dim', description: 'dimension d; coordinates 2..d are always 0' },
  ];
  readonly dataStd: number;

  constructor(options: TwoPointOptions = {}) {
    const mu = options.mu ?? TWO_POINT_DEFAULTS.mu;
    const dim = options.dim ?? TWO_POINT_DEFAULTS.dim;
    this.mu = checkPositive('two-point mu', mu);
    this.dim = checkInteger('two-point dim', dim, 1);
    this.params = { mu, dim };
    // Total variance mu^2, all of it in the first coordinate.
    this.dataStd = mu / Math.sqrt(dim);
  }

  sample(n: number, rng: Rng): Points {
    const d = this.dim;
    const out = new Float64Array(n * d);
    for (let i = 0; i < n; i++) out[i * d] = rng.uniform() < 0.5 ? -this.mu : this.mu;
    return out;
  }

  logDensity(x: Points): Float64Array {
    return this.atomLogMass(x, 1);
  }

  noisedLogDensity(x: Points, path: PathCoefficients): Float64Array {
    const { a, b } = checkPath(path);
    if (b === 0) return this.atomLogMass(x, a);
    const d = this.dim;
    const n = countRows(x, this.dim);
    const b2 = b * b;
    const am = a * this.mu;
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let sq = 0;
      for (let j = 0; j < d; j++) sq += x[i * d + j] ** 2;
      // (N(x; a mu e_1, b^2 I) + N(x; -a mu e_1, b^2 I)) / 2 = N(x; 0, b^2 I) e^{-(a mu)^2 / 2b^2} cosh z.
      out[i] = -0.5 * d * (LOG_2PI + Math.log(b2)) - (sq + am * am) / (2 * b2) + logCosh((am * x[i * d]) / b2);
    }
    return out;
  }

  noisedScore(x: Points, path: PathCoefficients): Points {
    const { a, b } = checkPath(path);
    if (b === 0) throw new RangeError('the two-point target has no density at b = 0, so no score');
    const d = this.dim;
    const n = countRows(x, this.dim);
    const b2 = b * b;
    const am = a * this.mu;
    const out = new Float64Array(n * d);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < d; j++) out[i * d + j] = -x[i * d + j] / b2;
      out[i * d] += (am / b2) * Math.tanh((am * x[i * d]) / b2);
    }
    return out;
  }

  posteriorMean(x: Points, path: PathCoefficients): Points {
    const { a, b } = checkPath(path);
    const d = this.dim;
    const n = countRows(x, this.dim);
    const out = new Float64Array(n * d);
    for (let i = 0; i < n; i++) {
      // At b = 0, x = a x0 exactly.
      if (b === 0) for (let j = 0; j < d; j++) out[i * d + j] = x[i * d + j] / a;
      else out[i * d] = this.mu * Math.tanh((a * this.mu * x[i * d]) / (b * b));
    }
    return out;
  }

  posteriorCovariance(x: Points, path: PathCoefficients): Float64Array {
    const { a, b } = checkPath(path);
    const d = this.dim;
    const n = countRows(x, this.dim);
    const out = new Float64Array(n * d * d);
    if (b === 0) return out;
    for (let i = 0; i < n; i++) out[i * d * d] = this.mu ** 2 * sech2((a * this.mu * x[i * d]) / (b * b));
    return out;
  }

  /** log(1/2) at the atoms +-scale mu e_1, -Infinity elsewhere. */
  private atomLogMass(x: Points, scale: number): Float64Array {
    const d = this.dim;
    const n = countRows(x, this.dim);
    const atom = scale * this.mu;
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let onAtom = Math.abs(x[i * d]) === atom;
      for (let j = 1; j < d && onAtom; j++) onAtom = x[i * d + j] === 0;
      out[i] = onAtom ? LOG_HALF : -Infinity;
    }
    return out;
  }
}

export function twoPoint(options: TwoPointOptions = {}): TwoPoint {
  return new TwoPoint(options);
}

export const TWO_POINT_TARGET = defineTarget({
  name: 'two-point',
  summary: 'mass 1/2 at -mu e_1 and 1/2 at +mu e_1 (no density: exact posterior, logistic in x_1)',
  options: z
    .object({
      mu: z.number().positive().finite().default(TWO_POINT_DEFAULTS.mu).describe('atoms at -mu e_1 and +mu e_1'),
      dim: z.number().int().min(1).default(TWO_POINT_DEFAULTS.dim).describe('dimension d'),
    })
    .strict(),
  requestKeys: { dim: 'dim', mu: 'mu' },
  capabilities: { exactScore: true, logDensity: false, mixture: false, marginal: false, nodeOnly: false },
  build: (options) => new TwoPoint(options),
});
