/** Defaults of `npm run diagnose` (the issue's: 40 log-spaced r in [0.05, 20], 2000 points, M = 1..5, seed 0). */
export const DIAGNOSE_DEFAULTS = {
  rMin: 0.05,
  rMax: 20,
  rCount: 40,
  uCount: 200,
  deltaCount: 1000,
  n: 2000,
  m: [1, 2, 3, 4, 5],
  seed: 0,
  jacobian: 'auto',
  batchSize: 2000,
  weights: 'ema',
  backend: 'auto',
} as const;
