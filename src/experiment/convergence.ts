import type { ConvergenceRule } from './grid.js';

/** Why a cell's training stopped: the convergence rule, or the recipe's step cap. */
export type StopReason = 'converged' | 'cap';

export interface StopDecision {
  reason: StopReason;
  step: number;
  /** The smoothed chunk loss at the stop, and the relative improvement over the window (null: window not yet full). */
  smoothedLoss: number;
  improvement: number | null;
}

/** The exponential moving average of the chunk losses: E_1 = L_1, E_k = beta E_(k-1) + (1 - beta) L_k. */
export function smoothedLosses(chunkLosses: readonly number[], beta: number): number[] {
  const out: number[] = [];
  for (const loss of chunkLosses) out.push(out.length === 0 ? loss : beta * out[out.length - 1]! + (1 - beta) * loss);
  return out;
}

/**
 * The rule, applied after chunk k (k = chunkLosses.length, ending at step k * chunkSteps): stop as
 * 'converged' when that step is at least minSteps, k > window, and the smoothed loss improved by
 * less than `tol` of its value `window` chunks before, (E_(k-w) - E_k) / |E_(k-w)| < tol; stop as
 * 'cap' when the step reached `cap`; otherwise go on (null). It reads only the chunk losses, which
 * are a function of the seed, so a cell stops at the same step however often it was resumed.
 */
export function convergenceDecision(chunkLosses: readonly number[], rule: ConvergenceRule, cap: number): StopDecision | null {
  const k = chunkLosses.length;
  if (k === 0) return null;
  const step = Math.min(k * rule.chunkSteps, cap);
  const smoothed = smoothedLosses(chunkLosses, rule.beta);
  const now = smoothed[k - 1]!;
  const before = k > rule.window ? smoothed[k - 1 - rule.window]! : null;
  const improvement = before === null ? null : (before - now) / Math.max(Math.abs(before), 1e-300);
  if (improvement !== null && step >= rule.minSteps && improvement < rule.tol) return { reason: 'converged', step, smoothedLoss: now, improvement };
  if (step >= cap) return { reason: 'cap', step, smoothedLoss: now, improvement };
  return null;
}
