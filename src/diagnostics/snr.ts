import type { PathCoefficients } from '../../datasets/target.js';
import { bisectTau } from '../process/bisect-tau.js';
import type { GaussianPath } from '../process/index.js';

/**
 * The diagnostics are indexed by the signal-to-noise ratio r = a / b (docs/math.md section 6).
 * Conditioning on x = a x0 + b eps is the same as conditioning on y = x / b = r x0 + eps, whose
 * law depends on r alone; so C = Cov[r x0 | x] = r^2 Cov[x0 | y] is a function of y and r only,
 * and any process reaching ratio r gives the same localisation curves.
 */
export interface SnrLevel {
  r: number;
  a: number;
  b: number;
  /** The process time with a(tau) / b(tau) = r; null for the exact diagnostics of a target alone. */
  tau: number | null;
}

/** count values log-spaced from lo to hi, both included. */
export function logGrid(lo: number, hi: number, count: number): number[] {
  if (count === 1) return [lo];
  return Array.from({ length: count }, (_, k) => lo * Math.pow(hi / lo, k / (count - 1)));
}

/**
 * The OU process with unit rate and unit stationary variance: a = e^-t, b^2 = 1 - e^-2t, so
 * a = r / sqrt(1 + r^2) and b = 1 / sqrt(1 + r^2). docs/math.md's zeta*_M is stated for this process.
 */
export function ouLevel(r: number): SnrLevel {
  const b = 1 / Math.sqrt(1 + r * r);
  return { r, a: r * b, b, tau: null };
}

/**
 * Open end points of the bisection, the same for every process: each is singular at tau = 0
 * (b = 0), and one may be at tau = 1 (PBM, where a = 0).
 */
const TAU_EDGE = 1e-12;

export function snrAt(path: GaussianPath, tau: number): number {
  const { a, b } = path.coefficients(tau);
  return a / b;
}

/** The SNR range a process reaches inside its open interval (0, 1). */
export function snrRange(path: GaussianPath): { min: number; max: number } {
  return { min: snrAt(path, 1 - TAU_EDGE), max: snrAt(path, TAU_EDGE) };
}

/**
 * The tau with a(tau) / b(tau) = r, by bisection: a / b decreases in tau for every Gaussian
 * path we have (a falls, b rises). Throws a RangeError outside the reachable range.
 */
export function tauForSnr(path: GaussianPath, r: number): number {
  const range = snrRange(path);
  if (!(r >= range.min && r <= range.max)) {
    throw new RangeError(`r = ${r} is outside the SNR range of the ${path.name} process, [${range.min.toPrecision(3)}, ${range.max.toPrecision(3)}]`);
  }
  // a / b decreases in tau, so -a / b increases.
  return bisectTau((tau) => -snrAt(path, tau), -r, TAU_EDGE, 1 - TAU_EDGE);
}

/** The process's own level for SNR r, with a and b from its coefficients at that tau. */
export function processLevel(path: GaussianPath, r: number): SnrLevel {
  const tau = tauForSnr(path, r);
  const { a, b }: PathCoefficients = path.coefficients(tau);
  return { r, a, b, tau };
}
