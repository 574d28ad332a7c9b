import type { Rng } from '../rng.js';

/** Where reverse-time sampling starts: the law a process reaches at tau = 1. */
export interface Prior {
  /** Written into bundles, e.g. "N(0, I)". */
  readonly description: string;
  /** n points in dimension d, row-major. */
  sample(n: number, d: number, rng: Rng): Float64Array;
  /** log density of each of the rows of x (row-major, dimension d); null for a point mass, which has none. */
  readonly logDensity: ((x: Float64Array, d: number) => Float64Array) | null;
}

const LOG_TWO_PI = Math.log(2 * Math.PI);

export const STANDARD_NORMAL_PRIOR: Prior = {
  description: 'N(0, I)',
  sample: (n, d, rng) => rng.normals(n * d),
  logDensity(x, d) {
    const rows = x.length / d;
    const out = new Float64Array(rows);
    for (let i = 0; i < rows; i++) {
      let squared = 0;
      for (let j = 0; j < d; j++) squared += x[i * d + j]! ** 2;
      out[i] = -0.5 * (d * LOG_TWO_PI + squared);
    }
    return out;
  },
};

/** Every trajectory starts pinned at the origin: no randomness is drawn. */
export const ORIGIN_PRIOR: Prior = {
  description: 'the point 0',
  sample: (n, d) => new Float64Array(n * d),
  logDensity: null,
};
