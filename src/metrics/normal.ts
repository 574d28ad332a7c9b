/**
 * Error function and standard normal CDF, quantile and the antiderivative of the
 * CDF, accurate to about 1e-15 absolute; the first-coordinate W1 integrates
 * |F_n - Phi| exactly with them.
 */

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);
const INV_SQRT_PI = 1 / Math.sqrt(Math.PI);
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
/** Below it the series converges in < 60 terms; above it the continued fraction in < 100. */
const SERIES_LIMIT = 2.5;

/**
 * erf(x) = 2/sqrt(pi) e^{-x^2} sum_n 2^n x^{2n+1} / (1 3 5 ... (2n+1)) for x >= 0:
 * all terms positive, so unlike the Taylor series it loses no digits to cancellation.
 */
function erfSeries(x: number): number {
  const x2 = x * x;
  let term = x;
  let sum = x;
  for (let n = 1; n < 200 && term > 1e-17 * sum; n++) {
    term *= (2 * x2) / (2 * n + 1);
    sum += term;
  }
  return TWO_OVER_SQRT_PI * Math.exp(-x2) * sum;
}

/** erfc(x) for x > 0 from its continued fraction; keeps relative accuracy in the tail. */
function erfcContinuedFraction(x: number): number {
  return (INV_SQRT_PI * Math.exp(-x * x)) / erfcFraction(x);
}

/** K(x) = x + (1/2)/(x + 1/(x + (3/2)/(x + ...))) for x > 0 (modified Lentz): erfc(x) = e^{-x^2} / (sqrt(pi) K(x)). */
function erfcFraction(x: number): number {
  const tiny = 1e-300;
  let f = x;
  let c = x;
  let dd = 0;
  for (let k = 1; k < 500; k++) {
    const a = k / 2;
    dd = x + a * dd;
    dd = 1 / (Math.abs(dd) < tiny ? tiny : dd);
    c = x + a / c;
    if (Math.abs(c) < tiny) c = tiny;
    const delta = c * dd;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return f;
}

export function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const ax = Math.abs(x);
  const v = ax < SERIES_LIMIT ? erfSeries(ax) : 1 - erfcContinuedFraction(ax);
  return x < 0 ? -v : v;
}

export function erfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x < 0) return 2 - erfc(-x);
  return x < SERIES_LIMIT ? 1 - erfSeries(x) : erfcContinuedFraction(x);
}

/**
 * The scaled complementary error function e^{x^2} erfc(x): finite where erfc underflows,
 * so Gaussian tail masses can be taken in log space.
 */
export function erfcx(x: number): number {
  if (Number.isNaN(x)) return NaN;
  return x < SERIES_LIMIT ? Math.exp(x * x) * erfc(x) : INV_SQRT_PI / erfcFraction(x);
}

/** Standard normal CDF Phi(u), accurate in both tails. */
export function normalCdf(u: number): number {
  return 0.5 * erfc(-u / Math.SQRT2);
}

export function normalPdf(u: number): number {
  return INV_SQRT_2PI * Math.exp(-0.5 * u * u);
}

/** Psi(u) = u Phi(u) + phi(u), the antiderivative of Phi that vanishes at -infinity. */
export function normalCdfIntegral(u: number): number {
  return u * normalCdf(u) + normalPdf(u);
}

// Acklam's rational approximation (relative error 1.2e-9), refined below by Halley steps.
const A = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
const B = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
const C = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
const D = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
const P_LOW = 0.02425;

function acklam(p: number): number {
  if (p < P_LOW || p > 1 - P_LOW) {
    const q = Math.sqrt(-2 * Math.log(p < P_LOW ? p : 1 - p));
    const v = (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5]) / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1);
    return p < P_LOW ? v : -v;
  }
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q) /
    (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1)
  );
}

/** Phi^{-1}(p) for p in (0, 1), to full double precision. */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) {
    if (p === 0) return -Infinity;
    if (p === 1) return Infinity;
    return NaN;
  }
  let u = acklam(p);
  for (let step = 0; step < 2; step++) {
    // Halley's method on Phi(u) - p = 0, using phi' = -u phi.
    const e = normalCdf(u) - p;
    const g = e / normalPdf(u);
    u -= g / (1 + 0.5 * u * g);
  }
  return u;
}
