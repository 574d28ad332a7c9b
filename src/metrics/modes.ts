import type { MixtureInfo, Points } from '../../datasets/target.js';
import { pointCount } from './pairwise.js';

/** Component counts: each sample goes to the component of highest responsibility at tau = 0. */
export function componentCounts(x: Points, d: number, mixture: MixtureInfo): number[] {
  const n = pointCount(x, d);
  const K = mixture.weights.length;
  const bias = mixture.weights.map((w, k) => Math.log(w) - d * Math.log(mixture.stds[k]!));
  const counts = new Array<number>(K).fill(0);
  for (let i = 0; i < n; i++) {
    let best = 0;
    let bestScore = -Infinity;
    for (let k = 0; k < K; k++) {
      const mu = mixture.means[k]!;
      let sq = 0;
      for (let j = 0; j < d; j++) sq += (x[i * d + j]! - mu[j]!) ** 2;
      const score = bias[k]! - sq / (2 * mixture.stds[k]! ** 2);
      if (score > bestScore) {
        bestScore = score;
        best = k;
      }
    }
    counts[best]! += 1;
  }
  return counts;
}

/** Share of components that receive at least half their expected number of samples. */
export function modeCoverage(x: Points, d: number, mixture: MixtureInfo): number {
  const n = pointCount(x, d);
  const counts = componentCounts(x, d, mixture);
  const covered = counts.filter((c, k) => c >= 0.5 * mixture.weights[k]! * n).length;
  return covered / counts.length;
}

/** Total variation between the component histogram of the samples and the true weights. */
export function weightTV(x: Points, d: number, mixture: MixtureInfo): number {
  const n = pointCount(x, d);
  const counts = componentCounts(x, d, mixture);
  return 0.5 * counts.reduce((s, c, k) => s + Math.abs(c / n - mixture.weights[k]!), 0);
}
