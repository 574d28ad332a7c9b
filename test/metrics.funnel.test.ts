import { describe, expect, it } from 'vitest';
import { firstCoordinateW1 } from '../src/metrics/marginal-w1.js';
import { normalCdf, normalPdf } from '../src/metrics/normal.js';
import { Rng } from '../src/rng.js';

/**
 * Integral of |F_n - Phi(t/s)| by the midpoint rule on each interval between
 * order statistics (F_n is constant there, so the only non-smooth point is a
 * kink, and the error is O(h^2)): an independent check.
 */
function numericW1(values: number[], s: number): number {
  const z = [...values].sort((a, b) => a - b);
  const n = z.length;
  const edges = [Math.min(z[0], -12 * s), ...z, Math.max(z[n - 1], 12 * s)];
  const steps = 20_000;
  let total = 0;
  for (let k = 0; k + 1 < edges.length; k++) {
    const h = (edges[k + 1] - edges[k]) / steps;
    for (let i = 0; i < steps; i++) total += Math.abs(k / n - normalCdf((edges[k] + (i + 0.5) * h) / s)) * h;
  }
  return total;
}

describe('firstCoordinateW1', () => {
  it('one point at c: E|s Z - c| = s (2 phi(c/s) + (c/s)(2 Phi(c/s) - 1))', () => {
    const s = 3;
    for (const c of [0, 1.5, -4, 20]) {
      const u = c / s;
      const expected = s * (2 * normalPdf(u) + u * (2 * normalCdf(u) - 1));
      expect(firstCoordinateW1(Float64Array.from([c]), 1, s)).toBeCloseTo(expected, 12);
    }
  });

  it('agrees with direct numerical integration, ties and crossings included', () => {
    const values = [-2, 0.3, 0.3, 1, 5.5, -7];
    expect(firstCoordinateW1(Float64Array.from(values), 1, 3)).toBeCloseTo(numericW1(values, 3), 7);
  });

  it('reads only the first coordinate', () => {
    const rng = Rng.fromSeed(30);
    const x = rng.normals(50 * 4);
    const first = x.filter((_, k) => k % 4 === 0);
    expect(firstCoordinateW1(x, 4, 2)).toBe(firstCoordinateW1(first, 1, 2));
  });

  it('a large N(0, 9) sample is close to 0; shifted by delta it is |delta| up to the same error', () => {
    // E|F_n(t) - F(t)| <= sqrt(F(1 - F) / n), so E W1 <= (s / sqrt(n)) I with
    // I = int sqrt(Phi (1 - Phi)) du. W1 is (s / sqrt(n))-Lipschitz in the standard
    // normals behind the sample, so it exceeds its mean by 4 s / sqrt(n) with
    // probability below e^-8.
    const s = 3;
    const n = 20_000;
    let integral = 0;
    for (let u = -10; u < 10; u += 1e-3) integral += Math.sqrt(normalCdf(u + 5e-4) * (1 - normalCdf(u + 5e-4))) * 1e-3;
    const bound = (s / Math.sqrt(n)) * (integral + 4);
    const x = Rng.fromSeed(31).normals(n).map((z) => s * z);
    const w = firstCoordinateW1(x, 1, s);
    expect(w, `W1 ${w}, bound ${bound}`).toBeLessThan(bound);
    expect(w).toBeGreaterThan(0);
    // |W1(P_n + delta, N(0, s^2)) - W1(N(delta, s^2), N(0, s^2))| <= W1(P_n, N(0, s^2)), and the middle term is |delta|.
    for (const delta of [0.5, -2]) {
      const shifted = firstCoordinateW1(x.map((t) => t + delta), 1, s);
      expect(Math.abs(shifted - Math.abs(delta))).toBeLessThanOrEqual(w + 1e-9);
    }
  });
});
