/** Bracket width at which the bisection stops: far below any tau resolution that matters. */
const TAU_TOLERANCE = 1e-15;
const MAX_HALVINGS = 200;

/**
 * The tau in [lo, hi] where the increasing function f reaches `want`, by bisection
 * (f of a Gaussian path is monotone in tau, so no inverse is needed). Returns the
 * midpoint of the last bracket.
 */
export function bisectTau(f: (tau: number) => number, want: number, lo: number, hi: number): number {
  let below = lo;
  let above = hi;
  for (let k = 0; k < MAX_HALVINGS && above - below > TAU_TOLERANCE; k++) {
    const mid = 0.5 * (below + above);
    if (f(mid) < want) below = mid;
    else above = mid;
  }
  return 0.5 * (below + above);
}
