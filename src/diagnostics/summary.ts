import type { LocalisationCurves } from './curves.js';

/** A run of consecutive grid values of r, both ends included. */
export type RRange = [number, number];

export interface ZetaSummary {
  m: number;
  /** Where zeta*_M < 0 on the grid: a diffuse-then-denoise step there expands. */
  negativeRanges: RRange[];
  /** Where zeta*_M is lowest, and its value. */
  minR: number;
  minValue: number;
}

export interface CurveSummary {
  /**
   * r*: the largest grid r up to which s_r(1) = 0 at every grid r (the smoothed target is
   * log-concave on all our samples there). null when s_r(1) > 0 already at the smallest r.
   */
  rStar: number | null;
  /** The first grid r with s_r(1) > 0 (r* lies between rStar and it); null if there is none. */
  firstNonConcaveR: number | null;
  /** Every run of grid r with s_r(1) > 0 (a mixture can look log-concave again at high SNR on a finite sample). */
  nonConcaveRanges: RRange[];
  /** The bottleneck: where m*(r) peaks; null when m* = 0 at every r (no level is hard). */
  bottleneckR: number | null;
  bottleneckMStar: number;
  zeta: ZetaSummary[];
}

/** Consecutive runs of grid points where `inside` holds. */
export function rangesWhere(rs: number[], inside: (k: number) => boolean): RRange[] {
  const ranges: RRange[] = [];
  let open: number | null = null;
  for (let k = 0; k < rs.length; k++) {
    if (inside(k)) {
      if (open === null) open = rs[k];
      if (k === rs.length - 1 || !inside(k + 1)) {
        ranges.push([open, rs[k]]);
        open = null;
      }
    }
  }
  return ranges;
}

export function summariseCurves(levels: LocalisationCurves[], mValues: number[]): CurveSummary {
  if (levels.length === 0) throw new RangeError('no noise levels to summarise');
  const rs = levels.map((l) => l.r);
  const first = levels.findIndex((l) => l.survivalAtOne > 0);
  let peak = 0;
  levels.forEach((l, k) => {
    if (l.mStar > levels[peak].mStar) peak = k;
  });
  const zeta = mValues.map((m, j) => {
    let low = 0;
    levels.forEach((l, k) => {
      if (l.zeta[j] < levels[low].zeta[j]) low = k;
    });
    return {
      m,
      negativeRanges: rangesWhere(rs, (k) => levels[k].zeta[j] < 0),
      minR: rs[low],
      minValue: levels[low].zeta[j],
    };
  });
  return {
    rStar: first === -1 ? rs[rs.length - 1] : first === 0 ? null : rs[first - 1],
    firstNonConcaveR: first === -1 ? null : rs[first],
    nonConcaveRanges: rangesWhere(rs, (k) => levels[k].survivalAtOne > 0),
    bottleneckR: levels[peak].mStar > 0 ? rs[peak] : null,
    bottleneckMStar: levels[peak].mStar,
    zeta,
  };
}

/** "[0.31, 2.4]" style text of ranges, "none" when empty. */
export function formatRanges(ranges: RRange[]): string {
  if (ranges.length === 0) return 'none';
  return ranges.map(([lo, hi]) => (lo === hi ? `{${fmt(lo)}}` : `[${fmt(lo)}, ${fmt(hi)}]`)).join(' u ');
}

export function fmt(value: number): string {
  if (value === 0 || !Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  return abs >= 1e4 || abs < 1e-3 ? value.toExponential(2) : String(Number(value.toPrecision(3)));
}

/** The printed summary of one source (exact or network). */
export function describeSummary(label: string, s: CurveSummary, rGrid: number[]): string[] {
  const rMin = rGrid[0];
  const rMax = rGrid[rGrid.length - 1];
  const rStar =
    s.firstNonConcaveR === null
      ? `r* >= ${fmt(rMax)} (s_r(1) = 0 on the whole grid)`
      : s.rStar === null
        ? `r* < ${fmt(rMin)} (s_r(1) > 0 already at the smallest r)`
        : `r* = ${fmt(s.rStar)} (s_r(1) > 0 from r = ${fmt(s.firstNonConcaveR)})`;
  const lines = [
    `${label}: ${rStar}; ${s.bottleneckR === null ? 'no bottleneck (m* = 0 at every r)' : `bottleneck r = ${fmt(s.bottleneckR)} (m* = ${fmt(s.bottleneckMStar)})`}`,
    `  s_r(1) > 0 for r in ${formatRanges(s.nonConcaveRanges)}`,
  ];
  for (const z of s.zeta) {
    lines.push(`  zeta*_${z.m} < 0 for r in ${formatRanges(z.negativeRanges)}; lowest ${fmt(z.minValue)} at r = ${fmt(z.minR)}`);
  }
  return lines;
}
