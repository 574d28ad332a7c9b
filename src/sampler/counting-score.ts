import type { ScoreFunction } from './score-function.js';

/** A score function that counts its calls: the network evaluations a sampler actually spent on one batch. */
export interface CountedScore {
  score: ScoreFunction;
  readonly calls: number;
}

export function countingScore(inner: ScoreFunction): CountedScore {
  let calls = 0;
  return {
    score: (x, tau, coeff) => {
      calls += 1;
      return inner(x, tau, coeff);
    },
    get calls() {
      return calls;
    },
  };
}
