import { bisectTau } from '../process/bisect-tau.js';
import type { GaussianPath } from '../process/index.js';

/**
 * How the levels between tau_max and tau_min are spaced:
 * - uniform: equal steps in tau (the reverse-SDE sampler's grid, always);
 * - log-snr: equal steps in lambda = log(a / b), half the log signal-to-noise ratio;
 * - edm: EDM's rho = 7 spacing of the noise-to-signal ratio sigma = b / a.
 * Both b / a forms are defined by the path alone (VP: sqrt(e^B - 1); PBM:
 * sigma sqrt(tau / (1 - tau))) and increase strictly with tau, so each grid is
 * valid for every process; b / a is EDM's sigma after scaling x by 1 / a.
 */
export const GRID_NAMES = ['uniform', 'log-snr', 'edm'] as const;
export type GridName = (typeof GRID_NAMES)[number];

/** EDM's exponent (Karras et al. 2022): larger rho puts more levels at low noise. */
export const EDM_RHO = 7;

/** The grid's clause of the bundle's sampler.update. */
export const GRID_UPDATES: Record<GridName, string> = {
  uniform: 'uniform grid t_k = tau_min + k h, h = (tau_max - tau_min) / steps; ',
  'log-snr':
    'grid uniform in lambda = log(a/b): lambda_k = lambda(tau_min) + (k / steps) (lambda(tau_max) - lambda(tau_min)), t_k = lambda^-1(lambda_k) by bisection; ',
  edm:
    `EDM grid on sigma = b/a: sigma_k = (sigma_min^(1/rho) + (k / steps) (sigma_max^(1/rho) - sigma_min^(1/rho)))^rho, rho = ${EDM_RHO}, ` +
    'sigma_min = sigma(tau_min), sigma_max = sigma(tau_max), t_k = sigma^-1(sigma_k) by bisection; ',
};

/** log(b / a) at tau: increasing in tau for every Gaussian path (= -lambda). */
export function logNoiseToSignal(path: GaussianPath, tau: number): number {
  const { a, b } = path.coefficients(tau);
  return Math.log(b) - Math.log(a);
}

/**
 * The levels t_0 = tau_min < t_1 < ... < t_steps = tau_max of a grid. The
 * uniform one is computed as the reverse-SDE driver always has (tau_min + k h),
 * so its samples stay bit-identical; the ends of the others are set exactly.
 */
export function noiseLevels(path: GaussianPath, grid: GridName, steps: number, tauMin: number, tauMax: number): number[] {
  const h = (tauMax - tauMin) / steps;
  if (grid === 'uniform') return Array.from({ length: steps + 1 }, (_, k) => tauMin + k * h);
  const f = (tau: number) => logNoiseToSignal(path, tau);
  const lo = f(tauMin);
  const hi = f(tauMax);
  const wanted = (k: number): number => {
    if (grid === 'log-snr') return lo + (k / steps) * (hi - lo);
    const sMin = Math.exp(lo) ** (1 / EDM_RHO);
    const sMax = Math.exp(hi) ** (1 / EDM_RHO);
    return EDM_RHO * Math.log(sMin + (k / steps) * (sMax - sMin));
  };
  return Array.from({ length: steps + 1 }, (_, k) => (k === 0 ? tauMin : k === steps ? tauMax : bisectTau(f, wanted(k), tauMin, tauMax)));
}
