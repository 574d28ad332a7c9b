/**
 * What a likelihood run reports, from the per-point log p_model (nats) and,
 * where the target has an exact density, log p_0 at the same points.
 */
export interface LikelihoodSummary {
  n: number;
  dim: number;
  /** Mean of -log p_model over the points, nats. */
  meanNll: number;
  /** Its standard error over the points (sd / sqrt(n)); with Hutchinson it includes the probes' noise. */
  nllStdErr: number;
  /** Hutchinson only: root mean square over the points of each point's standard error over its probes. */
  hutchinsonStdErrRms?: number;
  /** Images only: the mean NLL of the 8-bit data in bits per dimension (dequantisation.ts), and its standard error. */
  bitsPerDim?: number;
  bitsPerDimStdErr?: number;
  /** Exact density only: per-point |log p_model - log p_0|, median and 95th percentile. */
  exactLogpAbsErrorMedian?: number;
  exactLogpAbsErrorP95?: number;
  /**
   * Exact density only: the same against log p_tau_min, the density of the noised data the flow
   * starts from (the points are read at tau_min): what is left is the solver's and the start's error.
   */
  tauMinLogpAbsErrorMedian?: number;
  tauMinLogpAbsErrorP95?: number;
  /**
   * Exact density only: the start's error at each point, c = log N(x_T; 0, b_T^2 I) - log p_T(x_T) at
   * x_T = x(tau_max) (with the exact flow, log p_model - log p_tau_min = c exactly). Its mean is
   * -KL(p_T || start) on the points; |log p_model - log p_tau_min - c| is the solver's error alone.
   */
  startCorrectionMean?: number;
  solverLogpAbsErrorMedian?: number;
  solverLogpAbsErrorP95?: number;
  /** Exact density only: E[-log p_0] on the points (an estimate of the target's entropy) and its standard error. */
  exactEntropy?: number;
  exactEntropyStdErr?: number;
  /** Exact density only: KL(p || p_model) estimated as mean(log p_0 - log p_model), with the standard error of that paired mean. */
  kl?: number;
  klStdErr?: number;
}

export function meanAndStdErr(values: ArrayLike<number>): { mean: number; stdErr: number } {
  const n = values.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i]!;
  const mean = sum / n;
  let squares = 0;
  for (let i = 0; i < n; i++) squares += (values[i]! - mean) ** 2;
  return { mean, stdErr: n > 1 ? Math.sqrt(squares / (n - 1) / n) : 0 };
}

/** The q-quantile (0..1) by linear interpolation between order statistics (numpy's default). */
export function quantile(values: ArrayLike<number>, q: number): number {
  const sorted = Float64Array.from(values).sort();
  const at = q * (sorted.length - 1);
  const lo = Math.floor(at);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (at - lo) * (sorted[hi]! - sorted[lo]!);
}

export interface SummaryInputs {
  dim: number;
  logp: Float64Array;
  probeStdErr: Float64Array | null;
  /** log p_0 at the points, where the target has an exact density. */
  exactLogp?: Float64Array;
  /** log p_tau_min at the points, where the target has an exact density. */
  exactTauMinLogp?: Float64Array;
  /** The start correction c per point (see LikelihoodSummary.startCorrectionMean). */
  startCorrection?: Float64Array;
  /** Images: turns a mean NLL in nats of the [-1, 1] data into bits/dim of the 8-bit data. */
  bitsPerDim?: (nllNats: number) => number;
}

export function summariseLikelihood({ dim, logp, probeStdErr, exactLogp, exactTauMinLogp, startCorrection, bitsPerDim }: SummaryInputs): LikelihoodSummary {
  const n = logp.length;
  const nll = meanAndStdErr(logp.map((l) => -l));
  const summary: LikelihoodSummary = { n, dim, meanNll: nll.mean, nllStdErr: nll.stdErr };
  if (probeStdErr !== null) summary.hutchinsonStdErrRms = Math.sqrt(probeStdErr.reduce((s, e) => s + e * e, 0) / n);
  if (bitsPerDim !== undefined) {
    summary.bitsPerDim = bitsPerDim(nll.mean);
    // bits/dim is affine in the NLL with slope 1 / (d ln 2).
    summary.bitsPerDimStdErr = nll.stdErr / (dim * Math.LN2);
  }
  if (exactLogp !== undefined) {
    const absError = logp.map((l, i) => Math.abs(l - exactLogp[i]!));
    summary.exactLogpAbsErrorMedian = quantile(absError, 0.5);
    summary.exactLogpAbsErrorP95 = quantile(absError, 0.95);
    if (exactTauMinLogp !== undefined) {
      const tauMinError = logp.map((l, i) => Math.abs(l - exactTauMinLogp[i]!));
      summary.tauMinLogpAbsErrorMedian = quantile(tauMinError, 0.5);
      summary.tauMinLogpAbsErrorP95 = quantile(tauMinError, 0.95);
      if (startCorrection !== undefined) {
        summary.startCorrectionMean = meanAndStdErr(startCorrection).mean;
        const solverError = logp.map((l, i) => Math.abs(l - exactTauMinLogp[i]! - startCorrection[i]!));
        summary.solverLogpAbsErrorMedian = quantile(solverError, 0.5);
        summary.solverLogpAbsErrorP95 = quantile(solverError, 0.95);
      }
    }
    const entropy = meanAndStdErr(exactLogp.map((l) => -l));
    summary.exactEntropy = entropy.mean;
    summary.exactEntropyStdErr = entropy.stdErr;
    const kl = meanAndStdErr(logp.map((l, i) => exactLogp[i]! - l));
    summary.kl = kl.mean;
    summary.klStdErr = kl.stdErr;
  }
  return summary;
}
