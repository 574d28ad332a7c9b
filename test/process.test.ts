import { describe, expect, it } from 'vitest';
import { createProcess, type GaussianPath } from '../src/process/index.js';
import { Rng } from '../src/rng.js';

const processes: GaussianPath[] = [
  createProcess('vp'),
  createProcess('vp', { betaMin: 0.5, betaMax: 5 }),
  createProcess('pbm'),
  createProcess('pbm', { sigma: 2 }),
];

describe.each(processes.map((p) => [`${p.name} ${JSON.stringify(p.params)}`, p] as const))('%s', (_, path) => {
  it('starts at the data: a(0) = 1, b(0) = 0', () => {
    const { a, b } = path.coefficients(0);
    expect(a).toBe(1);
    expect(b).toBe(0);
  });

  it('satisfies f = a\'/a and g^2 = (b^2)\' - 2 (a\'/a) b^2 (central differences)', () => {
    const h = 1e-6;
    for (const tau of [0.01, 0.1, 0.3, 0.5, 0.7, 0.9, 0.98]) {
      const plus = path.coefficients(tau + h);
      const minus = path.coefficients(tau - h);
      const { a, b } = path.coefficients(tau);
      const da = (plus.a - minus.a) / (2 * h);
      const db2 = (plus.b ** 2 - minus.b ** 2) / (2 * h);
      const f = da / a;
      // Central differences are accurate to O(h^2) times the third derivative, plus rounding ~ 1e-16 / h.
      expect(path.drift(tau)).toBeCloseTo(f, 5);
      expect(path.diffusionSquared(tau)).toBeCloseTo(db2 - 2 * f * b * b, 5);
    }
  });

  it('forward SDE simulated from a fixed point matches the closed-form mean and variance', () => {
    const x0 = 1.5;
    const tauEnd = 0.6;
    const particles = 20_000;
    const steps = 2000;
    const rng = Rng.fromSeed(11);
    const x = new Float64Array(particles).fill(x0);
    const dt = tauEnd / steps;
    for (let k = 0; k < steps; k++) {
      const t = k * dt;
      const f = path.drift(t);
      const g = Math.sqrt(path.diffusionSquared(t));
      for (let i = 0; i < particles; i++) x[i] = x[i]! + f * x[i]! * dt + g * Math.sqrt(dt) * rng.normal();
    }
    const mean = x.reduce((s, v) => s + v, 0) / particles;
    const variance = x.reduce((s, v) => s + (v - mean) ** 2, 0) / (particles - 1);
    const { a, b } = path.coefficients(tauEnd);
    // Five standard errors of the Monte Carlo estimates; the Euler bias (O(dt)) is far smaller.
    expect(Math.abs(mean - a * x0)).toBeLessThan(5 * (b / Math.sqrt(particles)) + 1e-3);
    expect(Math.abs(variance - b * b)).toBeLessThan(5 * b * b * Math.sqrt(2 / (particles - 1)) + 1e-3);
  });
});

describe('process specifics', () => {
  it('VP keeps a^2 + b^2 = 1 and reaches a(1) ~ 0.0066 with the defaults', () => {
    const vp = createProcess('vp');
    for (const tau of [1e-4, 0.2, 1]) {
      const { a, b } = vp.coefficients(tau);
      expect(a * a + b * b).toBeCloseTo(1, 12);
    }
    // B(1) = beta_min + (beta_max - beta_min) / 2 = 10.05, a(1) = exp(-B/2).
    expect(vp.coefficients(1).a).toBeCloseTo(Math.exp(-10.05 / 2), 12);
    expect(vp.coefficients(1).a).toBeCloseTo(0.0066, 4);
  });

  it('VP b stays accurate at tiny tau (expm1)', () => {
    const tau = 1e-9;
    const B = 0.1 * tau + 0.5 * 19.9 * tau * tau;
    const { b } = createProcess('vp').coefficients(tau);
    // b = sqrt(1 - e^-B) = sqrt(B) (1 - B/4 + ...): relative error far below float64 cancellation in 1 - e^-B.
    expect(Math.abs(b / Math.sqrt(B) - 1)).toBeLessThan(1e-9);
  });

  it('PBM pins to the origin: a = 1 - tau, b = sigma sqrt(tau (1 - tau)), prior is the point 0', () => {
    const pbm = createProcess('pbm', { sigma: 2 });
    expect(pbm.coefficients(0.25)).toEqual({ a: 0.75, b: 2 * Math.sqrt(0.25 * 0.75) });
    expect(Array.from(pbm.samplePrior(3, 2, Rng.fromSeed(0)))).toEqual([0, 0, 0, 0, 0, 0]);
    expect(pbm.tauMax).toBe(1 - 1e-3);
  });
});
