/**
 * What a classifier says about a set of generated images: how the predicted
 * labels spread over the classes (mode coverage for images) and how sure the
 * classifier is (a proxy for how recognisable the images are).
 */

/** A sample counts as confidently classified when its top class probability is at least this. */
export const CONFIDENCE_THRESHOLD = 0.9;

export interface ClassMetrics {
  /** Samples per predicted class (argmax of the probabilities). */
  histogram: number[];
  /**
   * Entropy of the predicted-label distribution histogram / n, in nats
   * (0 log 0 = 0): 0 when every sample gets one label, ln(classes) (2.303 for
   * 10) when the labels are spread evenly.
   */
  entropy: number;
  /** Share of samples whose top class probability is >= the threshold. */
  confidentShare: number;
}

/** Entropy in nats of the distribution counts / sum(counts). */
export function histogramEntropy(counts: readonly number[]): number {
  const total = counts.reduce((a, b) => a + b, 0);
  if (total === 0) return 0;
  let h = 0;
  for (const c of counts) if (c > 0) h -= (c / total) * Math.log(c / total);
  return h;
}

/**
 * Class metrics from `count` rows of `classes` probabilities (row-major).
 * Ties go to the lowest class index.
 */
export function classMetrics(
  probabilities: ArrayLike<number>,
  count: number,
  classes: number,
  threshold: number = CONFIDENCE_THRESHOLD,
): ClassMetrics {
  if (probabilities.length !== count * classes) {
    throw new RangeError(`classMetrics: ${count} rows of ${classes} need ${count * classes} numbers, got ${probabilities.length}`);
  }
  const histogram = new Array<number>(classes).fill(0);
  let confident = 0;
  for (let i = 0; i < count; i++) {
    let best = 0;
    for (let c = 1; c < classes; c++) if (probabilities[i * classes + c]! > probabilities[i * classes + best]!) best = c;
    histogram[best]!++;
    if (probabilities[i * classes + best]! >= threshold) confident++;
  }
  return { histogram, entropy: histogramEntropy(histogram), confidentShare: count === 0 ? 0 : confident / count };
}
