import type { Points, Target } from '../../datasets/target.js';
import { Rng } from '../rng.js';
import { RNG_STREAMS } from '../rng-streams.js';
import type { ScoreFunction } from '../sampler/score-function.js';
import {
  deltaGrid,
  linearGrid,
  localisationCurves,
  SortedSample,
  survivalDistance,
  type CurveGrids,
  type LocalisationCurves,
} from './curves.js';
import { exactLocalisation } from './exact-localisation.js';
import { networkLocalisation, type JacobianMethod } from './network-localisation.js';
import type { SnrLevel } from './snr.js';
import { summariseCurves, type CurveSummary } from './summary.js';

export interface DiagnoseSettings {
  /** SNR values r = a / b, increasing. */
  rGrid: number[];
  /** Points x ~ p_tau per noise level. */
  n: number;
  /** Points of the survival curve's u grid, from 0 to uMax (or to max(1, largest L) at each r). */
  uCount: number;
  uMax: number | null;
  /** Points of the delta grid in (0, 1]. */
  deltaCount: number;
  /** Levels M of zeta*_M. */
  mValues: number[];
  seed: number;
}

export interface NetworkSource {
  /** Differentiable in x (tf ops): a network, or an exact score written in tf. */
  score: ScoreFunction;
  method: JacobianMethod;
  batchSize: number;
}

export interface DiagnoseInput {
  target: Target;
  /** (a, b, tau) of each r: the OU process for a target alone, the run's own process for a network. */
  level: (r: number) => SnrLevel;
  network?: NetworkSource;
  onLevel?: (done: number, total: number) => void;
}

export interface SourceResult {
  levels: LocalisationCurves[];
  summary: CurveSummary;
  seconds: number;
}

export interface NetworkResult extends SourceResult {
  /** Per r: mean and largest ||J - J^T||_F / ||J||_F over the points. */
  asymmetryMean: number[];
  asymmetryMax: number[];
  /** Per r: share of points where C = I + b^2 sym(J) has a negative eigenvalue, and the lowest eigenvalue seen. */
  negativeShare: number[];
  minEigenvalue: number[];
}

/** Network against exact, on the very same points x at every r. */
export interface Comparison {
  /** Per r: sup_u |s_net(u) - s_exact(u)| and mean |L_net(x) - L_exact(x)|. */
  survival: number[];
  localisationMeanAbs: number[];
  /** Largest differences over the r grid. */
  survivalMax: number;
  localisationMeanAbsMax: number;
  mStarMax: number;
  deltaStarMax: number;
  /** Per M: max over r of |zeta_net - zeta_exact|, and the same divided by (1 + r^2). */
  zetaMax: number[];
  zetaScaledMax: number[];
}

export interface DiagnosticsResult {
  settings: DiagnoseSettings;
  levels: SnrLevel[];
  delta: Float64Array;
  exact: SourceResult;
  network: NetworkResult | null;
  comparison: Comparison | null;
}

/** x = a x0 + b eps with fresh target samples: n draws of p_tau. */
function drawNoised(target: Target, level: SnrLevel, n: number, rng: Rng): Points {
  const x = target.sample(n, rng);
  for (let i = 0; i < x.length; i++) x[i] = level.a * x[i] + level.b * rng.normal();
  return x;
}

/**
 * For each r of the grid: draws x ~ p_tau, computes L(x) exactly from the target's posterior
 * covariance and (when a network is given) from the Jacobian of its score on the same points,
 * then the curves of docs/math.md section 6 and their summaries.
 */
export function diagnose(input: DiagnoseInput, settings: DiagnoseSettings): DiagnosticsResult {
  const { target, network } = input;
  const d = target.dim;
  const delta = deltaGrid(settings.deltaCount);
  const levels = settings.rGrid.map(input.level);
  const exactCurves: LocalisationCurves[] = [];
  const netCurves: LocalisationCurves[] = [];
  const netStats = { asymmetryMean: [] as number[], asymmetryMax: [] as number[], negativeShare: [] as number[], minEigenvalue: [] as number[] };
  const comparison = { survival: [] as number[], localisationMeanAbs: [] as number[] };
  let exactSeconds = 0;
  let networkSeconds = 0;

  levels.forEach((level, k) => {
    const x = drawNoised(target, level, settings.n, Rng.derive(settings.seed, RNG_STREAMS.diagnoseData, k));
    let started = performance.now();
    const exactL = exactLocalisation(target, x, level);
    exactSeconds += (performance.now() - started) / 1000;
    const exact = new SortedSample(exactL);

    let net: SortedSample | null = null;
    if (network) {
      started = performance.now();
      const result = networkLocalisation(network.score, x, d, level.tau ?? 0, level, {
        method: network.method,
        batchSize: network.batchSize,
        rng: Rng.derive(settings.seed, RNG_STREAMS.diagnoseProbe, k),
      });
      networkSeconds += (performance.now() - started) / 1000;
      net = new SortedSample(result.localisation);
      netStats.asymmetryMean.push(mean(result.asymmetry));
      netStats.asymmetryMax.push(Math.max(...result.asymmetry));
      netStats.negativeShare.push(result.minEigenvalue.filter((v) => v < 0).length / settings.n);
      netStats.minEigenvalue.push(Math.min(...result.minEigenvalue));
      comparison.survival.push(survivalDistance(net, exact));
      comparison.localisationMeanAbs.push(mean(result.localisation.map((v, i) => Math.abs(v - exactL[i]))));
    }

    const uMax = settings.uMax ?? Math.max(1, exact.max, net?.max ?? 0);
    const grids: CurveGrids = { u: linearGrid(0, uMax, settings.uCount), delta, mValues: settings.mValues };
    exactCurves.push(localisationCurves(exact, level.r, grids));
    if (net) netCurves.push(localisationCurves(net, level.r, grids));
    input.onLevel?.(k + 1, levels.length);
  });

  const exact: SourceResult = {
    levels: exactCurves,
    summary: summariseCurves(exactCurves, settings.mValues),
    seconds: exactSeconds,
  };
  if (!network) return { settings, levels, delta, exact, network: null, comparison: null };
  const networkResult: NetworkResult = {
    levels: netCurves,
    summary: summariseCurves(netCurves, settings.mValues),
    seconds: networkSeconds,
    ...netStats,
  };
  return { settings, levels, delta, exact, network: networkResult, comparison: compare(exactCurves, netCurves, comparison) };
}

function compare(
  exact: LocalisationCurves[],
  net: LocalisationCurves[],
  pointwise: { survival: number[]; localisationMeanAbs: number[] },
): Comparison {
  const largest = (f: (e: LocalisationCurves, n: LocalisationCurves) => number) =>
    Math.max(...exact.map((e, k) => f(e, net[k])));
  const mCount = exact[0].zeta.length;
  return {
    ...pointwise,
    survivalMax: Math.max(...pointwise.survival),
    localisationMeanAbsMax: Math.max(...pointwise.localisationMeanAbs),
    mStarMax: largest((e, n) => Math.abs(e.mStar - n.mStar)),
    deltaStarMax: largest((e, n) => Math.abs(e.deltaStar - n.deltaStar)),
    zetaMax: Array.from({ length: mCount }, (_, j) => largest((e, n) => Math.abs(e.zeta[j] - n.zeta[j]))),
    zetaScaledMax: Array.from({ length: mCount }, (_, j) =>
      largest((e, n) => Math.abs(e.zeta[j] - n.zeta[j]) / (1 + e.r * e.r)),
    ),
  };
}

function mean(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i];
  return sum / values.length;
}
