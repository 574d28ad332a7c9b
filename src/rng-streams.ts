/**
 * Every stream key of Rng.derive(seed, key, ...) in one table. Each kind of random draw has
 * its own key, so two draws never share numbers by accident and a resumed or repeated command
 * draws exactly what the first one did. The values are recorded behaviour: changing one
 * changes the numbers of every run that draws from that stream. Browser-safe (the page uses it).
 */
export const RNG_STREAMS = {
  /** Training batches: Rng.derive(seed, train, step), so a resumed run draws what an uninterrupted one would. */
  train: 1,
  /** Sampler noise (prior draw, predictor and corrector): Rng.derive(seed, sample, batchIndex). */
  sample: 2,
  /** Weight initialisation of the score network: Rng.derive(seed, init). */
  init: 3,
  /** Fresh target samples the metrics compare against: Rng.derive(seed, reference, 0), and 1 for the floor's second set; the page uses it so its MMD matches `npm run sample`. */
  reference: 4,
  /** Random directions of the sliced Wasserstein distance: Rng.derive(seed, slicedWasserstein). */
  slicedWasserstein: 5,
  /** Fresh (x0, eps) pairs of the score error: Rng.derive(seed, scoreError, k) at the k-th tau. */
  scoreError: 6,
  /** Diagnose: the noised data points at the k-th signal-to-noise level, Rng.derive(seed, diagnoseData, k). */
  diagnoseData: 11,
  /** Diagnose: the random probe vectors at the k-th level, Rng.derive(seed, diagnoseProbe, k). */
  diagnoseProbe: 12,
  /** Likelihood: the Rademacher probes of the Hutchinson divergence of the b-th batch, Rng.derive(seed, likelihoodProbe, b). */
  likelihoodProbe: 13,
  /** Likelihood: the fresh target points it evaluates when no file is given, Rng.derive(seed, likelihoodPoints). */
  likelihoodPoints: 14,
  /** Likelihood: the uniform dequantisation noise of 8-bit images, Rng.derive(seed, likelihoodDequantise). */
  likelihoodDequantise: 15,
  /** Snapshots during training (train --snapshot-every): the seed of their sampler, Rng.derive(seed, snapshot), the same at every snapshot. */
  snapshot: 16,
  /** Image metrics: the random train images of the FID floor, Rng.derive(seed, imageFloor). */
  imageFloor: 0xf100,
  /** Classifier training: the shuffle of each epoch, Rng.derive(seed, classifierShuffle, epoch). */
  classifierShuffle: 0x5e1f,
  /** Classifier weight initialisation: Rng.derive(seed, classifierInit). */
  classifierInit: 0xc1a5,
} as const;

export type RngStream = keyof typeof RNG_STREAMS;
