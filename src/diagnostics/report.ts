import type { LocalisationCurves } from './curves.js';
import type { DiagnosticsResult, SourceResult } from './diagnose.js';
import type { CurveSummary } from './summary.js';

/** Significant digits kept in diagnostics.json: far below the sampling error of any curve. */
const DIGITS = 7;

const round = (v: number): number => (Number.isFinite(v) ? Number(v.toPrecision(DIGITS)) : v);
const roundAll = (values: ArrayLike<number>): number[] => Array.from(values, round);

function summaryJson(s: CurveSummary) {
  return {
    r_star: s.rStar,
    first_non_log_concave_r: s.firstNonConcaveR,
    non_log_concave_ranges: s.nonConcaveRanges,
    bottleneck_r: s.bottleneckR,
    bottleneck_m_star: round(s.bottleneckMStar),
    zeta: s.zeta.map((z) => ({ M: z.m, negative_ranges: z.negativeRanges, min_r: z.minR, min_value: round(z.minValue) })),
  };
}

function levelJson(c: LocalisationCurves) {
  return {
    r: c.r,
    mean_L: round(c.meanL),
    max_L: round(c.maxL),
    survival_at_1: c.survivalAtOne,
    u: roundAll(c.u),
    survival: roundAll(c.survival),
    h: roundAll(c.h),
    m_star: round(c.mStar),
    delta_star: round(c.deltaStar),
    zeta: roundAll(c.zeta),
  };
}

function sourceJson(s: SourceResult) {
  return { summary: summaryJson(s.summary), seconds: round(s.seconds), levels: s.levels.map(levelJson) };
}

/** What produced the diagnostics: recorded in diagnostics.json and the --json summary. */
export interface DiagnosticsContext {
  source: 'target' | 'run';
  target: { name: string; params: Record<string, unknown> };
  /** For --target the OU parameterisation used; for --run the run's process. */
  process: string | { name: string; params: Record<string, number> };
  run_dir?: string;
  weights?: string;
  step?: number;
  backend?: string;
  /** SNR range of the tau interval the network was trained on. */
  trained_r_range?: [number, number];
}

/**
 * diagnostics.json: every curve at every r (u grid and survival, h on the delta grid, m*,
 * delta*, zeta*_M per M), the summaries, the network's asymmetry and negative-eigenvalue
 * share, and the network-exact comparison. `context` carries what produced it.
 */
export function diagnosticsJson(result: DiagnosticsResult, context: DiagnosticsContext) {
  const { settings, network, comparison } = result;
  return {
    format: 'score-sde diagnostics',
    version: 1,
    ...context,
    settings: {
      n: settings.n,
      seed: settings.seed,
      u_count: settings.uCount,
      u_max: settings.uMax,
      delta_count: settings.deltaCount,
      M: settings.mValues,
    },
    r: result.levels.map((l) => l.r),
    tau: result.levels.map((l) => (l.tau === null ? null : round(l.tau))),
    a: result.levels.map((l) => round(l.a)),
    b: result.levels.map((l) => round(l.b)),
    delta: roundAll(result.delta),
    exact: sourceJson(result.exact),
    network: network
      ? {
          ...sourceJson(network),
          asymmetry_mean: roundAll(network.asymmetryMean),
          asymmetry_max: roundAll(network.asymmetryMax),
          negative_eigenvalue_share: roundAll(network.negativeShare),
          min_eigenvalue: roundAll(network.minEigenvalue),
        }
      : null,
    comparison: comparison
      ? {
          survival_sup_diff: roundAll(comparison.survival),
          localisation_mean_abs_diff: roundAll(comparison.localisationMeanAbs),
          max: {
            survival_sup_diff: round(comparison.survivalMax),
            localisation_mean_abs_diff: round(comparison.localisationMeanAbsMax),
            m_star: round(comparison.mStarMax),
            delta_star: round(comparison.deltaStarMax),
            zeta: roundAll(comparison.zetaMax),
            zeta_over_1_plus_r2: roundAll(comparison.zetaScaledMax),
          },
        }
      : null,
  };
}

export type DiagnosticsJson = ReturnType<typeof diagnosticsJson>;
