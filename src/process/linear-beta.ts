import { z } from 'zod';

/** The linear noise schedule of VP and sub-VP: beta(tau) and its integral B(tau) from 0. */
export function linearBeta(betaMin: number, betaMax: number) {
  return {
    beta: (tau: number) => betaMin + tau * (betaMax - betaMin),
    integrated: (tau: number) => betaMin * tau + 0.5 * (betaMax - betaMin) * tau * tau,
  };
}

/** The schedule's options, described for the process that owns them ("VP beta_min: ..."). */
export function linearBetaOptions(label: string) {
  return {
    betaMin: z.number().positive().default(0.1).describe(`${label} beta_min: beta(tau) at tau = 0`),
    betaMax: z.number().positive().default(20).describe(`${label} beta_max: beta(tau) at tau = 1`),
  };
}

/** The closed forms of the schedule and of its drift f = -beta / 2, published in bundles. */
export const LINEAR_BETA_FORMULAS = {
  beta: 'beta(tau) = beta_min + tau (beta_max - beta_min)',
  B: 'B(tau) = beta_min tau + (beta_max - beta_min) tau^2 / 2',
  a: 'a(tau) = exp(-B(tau) / 2)',
} as const;
