import { describe, expect, it } from 'vitest';
import { fitGaussian, frechetDistance, frechetParts, traceSqrtProduct, type GaussianFit } from '../src/metrics/frechet.js';
import { psdSqrt, symmetricEigen } from '../src/linalg/symmetric-eigen.js';
import { Rng } from '../src/rng.js';

/** A x B for d x d row-major matrices. */
function matmul(a: ArrayLike<number>, b: ArrayLike<number>, d: number): Float64Array {
  const out = new Float64Array(d * d);
  for (let i = 0; i < d; i++) for (let k = 0; k < d; k++) for (let j = 0; j < d; j++) out[i * d + j] += a[i * d + k]! * b[k * d + j]!;
  return out;
}

const transpose = (a: ArrayLike<number>, d: number) => Float64Array.from({ length: d * d }, (_, k) => a[(k % d) * d + Math.floor(k / d)]!);

/** A random orthogonal matrix: Gram-Schmidt on Gaussian columns. */
function randomRotation(d: number, rng: Rng): Float64Array {
  const q = new Float64Array(d * d);
  for (let k = 0; k < d; k++) {
    const v = rng.normals(d);
    for (let p = 0; p < k; p++) {
      let dot = 0;
      for (let i = 0; i < d; i++) dot += v[i]! * q[i * d + p]!;
      for (let i = 0; i < d; i++) v[i] -= dot * q[i * d + p]!;
    }
    const norm = Math.hypot(...v);
    for (let i = 0; i < d; i++) q[i * d + k] = v[i]! / norm;
  }
  return q;
}

/** A random PSD matrix G G^T / d with G d x r (rank r). */
function randomPsd(d: number, r: number, rng: Rng): Float64Array {
  const g = rng.normals(d * r);
  const out = new Float64Array(d * d);
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) for (let k = 0; k < r; k++) out[i * d + j] += (g[i * r + k]! * g[j * r + k]!) / d;
  return out;
}

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
};

/** An exact Gaussian "fit": mean and diagonal covariance, optionally rotated by Q (mean -> Q m, cov -> Q S Q^T). */
function diagonalFit(mean: number[], std: number[], q?: Float64Array): GaussianFit {
  const d = mean.length;
  let cov: Float64Array = new Float64Array(d * d);
  std.forEach((s, i) => (cov[i * d + i] = s * s));
  let m = Float64Array.from(mean);
  if (q) {
    cov = matmul(matmul(q, cov, d), transpose(q, d), d);
    m = Float64Array.from({ length: d }, (_, i) => mean.reduce((sum, mj, j) => sum + q[i * d + j]! * mj, 0));
  }
  return { dim: d, count: Infinity, mean: m, cov };
}

describe('symmetric eigendecomposition (Jacobi)', () => {
  it('reconstructs a random symmetric matrix with orthonormal eigenvectors, eigenvalues ascending', () => {
    const d = 24;
    const rng = Rng.fromSeed(1);
    const g = rng.normals(d * d);
    const a = Float64Array.from({ length: d * d }, (_, k) => g[k]! + g[(k % d) * d + Math.floor(k / d)]!);
    const { values, vectors } = symmetricEigen(a, d);
    for (let k = 1; k < d; k++) expect(values[k]).toBeGreaterThanOrEqual(values[k - 1]!);
    const vd = Float64Array.from({ length: d * d }, (_, k) => vectors[k]! * values[k % d]!);
    expect(maxAbsDiff(matmul(vd, transpose(vectors, d), d), a)).toBeLessThan(1e-12);
    const identity = Float64Array.from({ length: d * d }, (_, k) => (k % (d + 1) === 0 ? 1 : 0));
    expect(maxAbsDiff(matmul(transpose(vectors, d), vectors, d), identity)).toBeLessThan(1e-13);
  });

  it('finds known eigenvalues of a rotated diagonal matrix, including zeros', () => {
    const d = 10;
    const q = randomRotation(d, Rng.fromSeed(2));
    const lambda = [0, 0, 1e-6, 0.5, 1, 2, 3, 5, 8, 13];
    const diag = new Float64Array(d * d);
    lambda.forEach((l, i) => (diag[i * d + i] = l));
    const a = matmul(matmul(q, diag, d), transpose(q, d), d);
    const { values } = symmetricEigen(a, d);
    expect(maxAbsDiff(values, lambda)).toBeLessThan(1e-13);
  });

  it('psdSqrt squares back to the matrix, also when it is singular', () => {
    const d = 16;
    const rng = Rng.fromSeed(3);
    for (const rank of [16, 5]) {
      const a = randomPsd(d, rank, rng);
      const r = psdSqrt(a, d);
      expect(maxAbsDiff(matmul(r, r, d), a)).toBeLessThan(1e-12);
      expect(maxAbsDiff(r, transpose(r, d))).toBe(0);
    }
  });
});

describe('Frechet distance between Gaussian fits', () => {
  it('is zero (to round-off) between a feature set and itself, dead features included', () => {
    const n = 300;
    const d = 40;
    const rng = Rng.fromSeed(4);
    const features = new Float64Array(n * d);
    // ReLU-like features: many exact zeros, one column always zero.
    for (let i = 0; i < n * d; i++) features[i] = i % d === 7 ? 0 : Math.max(0, rng.normal() + 0.3 * (i % d));
    const fit = fitGaussian(features, n, d);
    const parts = frechetParts(fit, fitGaussian(features.slice(), n, d));
    expect(parts.meanTerm).toBe(0);
    let trace = 0;
    for (let j = 0; j < d; j++) trace += fit.cov[j * d + j]!;
    expect(Math.abs(parts.covarianceTerm)).toBeLessThan(1e-10 * trace);
    expect(parts.distance).toBeLessThan(1e-10 * trace);
  });

  it('matches ||dmu||^2 + sum (s1 - s2)^2 for diagonal covariances, and is unchanged by a common rotation', () => {
    const m1 = [0, 1, -2, 3, 0.5];
    const m2 = [1, 1, 0, 2, -0.5];
    const closedForm = (s1: number[], s2: number[]) =>
      m1.reduce((s, m, i) => s + (m - m2[i]!) ** 2, 0) + s1.reduce((s, a, i) => s + (a - s2[i]!) ** 2, 0);
    const q = randomRotation(5, Rng.fromSeed(5));
    const s1 = [1, 2, 0.5, 3, 0.2];
    const s2 = [2, 2, 1.5, 0.1, 4];
    expect(frechetDistance(diagonalFit(m1, s1), diagonalFit(m2, s2))).toBeCloseTo(closedForm(s1, s2), 12);
    expect(frechetDistance(diagonalFit(m1, s1, q), diagonalFit(m2, s2, q))).toBeCloseTo(closedForm(s1, s2), 11);
    // A singular covariance (a zero std): exact while diagonal. Rotated, its zero eigenvalue comes
    // out as +-1e-16 and its square root as 1e-8: the square root's conditioning at 0 allows an
    // error of order sqrt(machine epsilon) times the scale, whatever the method.
    const singular = [1, 2, 0.5, 3, 0];
    const exact = closedForm(singular, s2);
    expect(frechetDistance(diagonalFit(m1, singular), diagonalFit(m2, s2))).toBeCloseTo(exact, 12);
    const rotated = frechetDistance(diagonalFit(m1, singular, q), diagonalFit(m2, s2, q));
    expect(Math.abs(rotated - exact)).toBeLessThan(100 * Math.sqrt(Number.EPSILON) * exact);
  });

  it('matches the 2 x 2 closed form tr (S1 S2)^{1/2} = sqrt(tr(S1 S2) + 2 sqrt(det S1 det S2)) for non-commuting covariances', () => {
    const s1 = [2, 0.8, 0.8, 1];
    const s2 = [0.5, -0.3, -0.3, 3];
    const p = matmul(s1, s2, 2);
    const det = (m: number[]) => m[0]! * m[3]! - m[1]! * m[2]!;
    const closed = Math.sqrt(p[0]! + p[3]! + 2 * Math.sqrt(det(s1) * det(s2)));
    expect(traceSqrtProduct(s1, s2, 2)).toBeCloseTo(closed, 13);
    const a: GaussianFit = { dim: 2, count: Infinity, mean: Float64Array.of(1, 2), cov: Float64Array.from(s1) };
    const b: GaussianFit = { dim: 2, count: Infinity, mean: Float64Array.of(0, 0), cov: Float64Array.from(s2) };
    expect(frechetDistance(a, b)).toBeCloseTo(5 + 2 + 1 + 0.5 + 3 - 2 * closed, 12);
  });

  it('fitGaussian gives the sample mean and the (n - 1) covariance', () => {
    const x = [1, 2, 3, 6, 5, 4]; // rows (1, 2), (3, 6), (5, 4)
    const fit = fitGaussian(x, 3, 2);
    expect([...fit.mean]).toEqual([3, 4]);
    // Centred rows (-2, -2), (0, 2), (2, 0).
    expect([...fit.cov]).toEqual([4, 2, 2, 4]);
  });

  describe('from samples of two Gaussians, within the sampling error', () => {
    const d = 4;
    const n = 20000;
    const draw = (mean: number[], std: number[], seed: number) => {
      const rng = Rng.fromSeed(seed);
      const x = new Float64Array(n * d);
      for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) x[i * d + j] = mean[j]! + std[j]! * rng.normal();
      return fitGaussian(x, n, d);
    };

    it('different Gaussians: the closed form, within 4 sd of the first-order error plus a bias bound', () => {
      const m1 = [0, 1, 0, -1];
      const m2 = [0.5, 1, -1, 0];
      const s1 = [1, 2, 0.5, 1];
      const s2 = [1.5, 1, 0.5, 2];
      const exact = m1.reduce((s, m, i) => s + (m - m2[i]!) ** 2, 0) + s1.reduce((s, a, i) => s + (a - s2[i]!) ** 2, 0);
      // First order: mu_hat has variance s^2 / n per coordinate; sqrt of a sample variance has s^2 / (2n).
      let variance = 0;
      let meanNoise = 0;
      for (let j = 0; j < d; j++) {
        variance += 4 * (m1[j]! - m2[j]!) ** 2 * (s1[j]! ** 2 + s2[j]! ** 2) / n;
        variance += 4 * (s1[j]! - s2[j]!) ** 2 * (s1[j]! ** 2 + s2[j]! ** 2) / (2 * n);
        meanNoise += (s1[j]! ** 2 + s2[j]! ** 2) / n;
      }
      // Second order (always >= 0): ||noise of dmu||^2 and the off-diagonal covariance noise, O(d) times as much.
      const biasBound = (d + 1) * meanNoise;
      const estimate = frechetDistance(draw(m1, s1, 10), draw(m2, s2, 11));
      expect(Math.abs(estimate - exact)).toBeLessThan(4 * Math.sqrt(variance) + biasBound);
    });

    it('one Gaussian twice: the second-order bias (2d + d(d + 1) / 2) / n of unit covariance', () => {
      // Mean term: E||mu1_hat - mu2_hat||^2 = 2d / n. Covariance term: for S = I, the Bures
      // distance is tr(E^2) / 4 to leading order, E = S1_hat - S2_hat with entry variances
      // 4 / n (diagonal) and 2 / n (off-diagonal): E tr(E^2) / 4 = d (d + 1) / (2n).
      const expected = (2 * d + (d * (d + 1)) / 2) / n;
      const zeros = [0, 0, 0, 0];
      const ones = [1, 1, 1, 1];
      const runs = Array.from({ length: 16 }, (_, k) => frechetDistance(draw(zeros, ones, 100 + 2 * k), draw(zeros, ones, 101 + 2 * k)));
      const average = runs.reduce((a, b) => a + b, 0) / runs.length;
      // Each run is a weighted sum of squared normals, relative sd about 0.5 (measured over 40
      // runs); the average of 16 has relative sd about 0.12, so 0.4 is more than 3 sd.
      expect(Math.abs(average / expected - 1)).toBeLessThan(0.4);
    });
  });
});
