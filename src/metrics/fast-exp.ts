/**
 * exp(x) with relative error below 1e-15, faster than Math.exp in V8 (docs/measurements.md).
 * Sinkhorn spends nearly all its time in exponentials of an n x m matrix, and
 * its potentials only need to be right to the marginal tolerance (~1e-6).
 *
 * x = (64 k + j) ln2/64 + r with |r| <= ln2/128, so exp(x) = 2^k 2^(j/64) e^r;
 * the two powers of two come from tables and e^r from a degree-5 Taylor polynomial.
 */
const STEPS_PER_LN2 = 64 / Math.LN2;
/** ln2/64 split Cody-Waite style: k * HI is exact for |k| < 2^21, so r keeps full precision. */
const LN2_OVER_64_HI = 6.93147180369123816490e-1 / 64;
const LN2_OVER_64_LO = 1.9082149292705877e-10 / 64;
/** Adding then subtracting 1.5 * 2^52 rounds a double to the nearest integer. */
const ROUND_MAGIC = 6755399441055744;
const FRACTION = Float64Array.from({ length: 64 }, (_, j) => 2 ** (j / 64));
/** 2^e for e in [-1075, 1024]; below -1022 the entries are subnormal or 0, and 2^1024 is Infinity. */
const EXPONENT_BIAS = 1075;
const POWER = Float64Array.from({ length: 2100 }, (_, e) => 2 ** (e - EXPONENT_BIAS));

/** Below it exp underflows to subnormals, where relative accuracy is moot: return 0. */
const LOWEST = -708;
/** Clamping here sends overflowing inputs to the table's last entry, 2^1024 = Infinity. */
const HIGHEST = 710;

export function fastExp(x: number): number {
  // One compare and a min keep the hot loop branch-free; NaN propagates through y.
  if (x < LOWEST) return 0;
  const y = Math.min(x, HIGHEST);
  const kf = y * STEPS_PER_LN2 + ROUND_MAGIC - ROUND_MAGIC;
  const k = kf | 0;
  const r = y - kf * LN2_OVER_64_HI - kf * LN2_OVER_64_LO;
  const p = 1 + r * (1 + r * (0.5 + r * (1 / 6 + r * (1 / 24 + r * (1 / 120)))));
  return POWER[(k >> 6) + EXPONENT_BIAS] * FRACTION[k & 63] * p;
}
