import * as os from 'node:os';
import type { BackboneConfig } from '../../models/backbone.js';
import { UsageError } from '../errors.js';

/**
 * Memory estimates, checked before anything is allocated, so that a setting
 * too large for the machine is refused in one line instead of growing until
 * the process is killed. They are rough upper sketches (float32 tensors: 4
 * bytes; host arrays: 8), counting what dominates, not every byte; the
 * budget is half of this machine's memory, which leaves room for what they
 * leave out. docs/limits.md gives the formulas.
 */

const F32 = 4;
const F64 = 8;
/** Weights, their EMA, Adam's two moments and the gradient: five copies of every parameter in training. */
const TRAINING_COPIES = 5;

/** Half of this machine's memory, in bytes. */
export function memoryBudgetBytes(): number {
  return os.totalmem() / 2;
}

/** Hidden activations per example, in float32 values, of one forward pass (as many again for the backward pass). */
function activationsPerExample(net: BackboneConfig): number {
  if (net.kind === 'mlp') return net.dim + 2 * net.timeFrequencies + 3 * net.depth * net.width + 2 * net.dim;
  const [h, w] = net.imageShape;
  // Each level: its blocks down and up, two convolutions each, with norm and activation: about 6 tensors a convolution.
  return net.channels.reduce((sum, c, level) => sum + ((h * w) / 4 ** level) * c * (4 * net.blocksPerLevel + 1) * 6, 0);
}

/** Parameters of the network (the U-Net's: its 3x3 convolutions, which dominate). */
function parameterCount(net: BackboneConfig): number {
  if (net.kind === 'mlp') {
    const input = net.dim + 2 * net.timeFrequencies;
    return input * net.width + (net.depth - 1) * net.width * net.width + net.width * net.dim + net.depth * net.width + net.dim;
  }
  return net.channels.reduce((sum, c) => sum + 9 * c * c * 4 * net.blocksPerLevel, 0) + 4 * net.embedDim * net.embedDim;
}

/** Training: every parameter five times, the activations and their gradients for a batch, the batch's data (host doubles). */
export function trainingBytes(net: BackboneConfig, batchSize: number): number {
  return parameterCount(net) * TRAINING_COPIES * F32 + batchSize * (2 * activationsPerExample(net) * F32 + 4 * net.dim * F64);
}

/**
 * Sampling and evaluating n points: the network's forward activations for one
 * batch, the samples, and the metrics: for points, two reference samples in
 * doubles and four n x n matrices of doubles alive at once (Sinkhorn's
 * kernels and work buffer, the pairwise distances); for images, the samples' copies fed to the classifier.
 */
export function samplingBytes(net: BackboneConfig, n: number, batchSize: number, image: boolean): number {
  const network = parameterCount(net) * F32 + Math.min(batchSize, n) * activationsPerExample(net) * F32;
  const samples = n * net.dim * (F32 + 3 * F64);
  const metrics = image ? n * net.dim * F32 * 2 : 4 * n * n * F64;
  return network + samples + metrics;
}

/** A setting the estimate grows with: a refusal names the one furthest over and the largest value that fits. */
export interface SizeSetting {
  flag: string;
  value: number;
  /** The estimate with this setting at `v` and the others as they are. */
  bytesAt: (v: number) => number;
}

const gib = (bytes: number) => `${(bytes / 2 ** 30).toPrecision(3)} GiB`;

/** The largest value of a setting whose estimate fits (0 when none does), by bisection over [1, value]. */
function largestFitting(s: SizeSetting, budget: number): number {
  let lo = 0;
  let hi = s.value;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (s.bytesAt(mid) <= budget) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * Refuses, in one line naming a flag, its value and the largest value that
 * fits, when `what` would need more than the memory budget.
 */
export function checkMemory(what: string, settings: SizeSetting[], budget = memoryBudgetBytes()): void {
  if (settings.length === 0) return;
  const bytes = settings[0]!.bytesAt(settings[0]!.value);
  if (bytes <= budget) return;
  // The setting furthest over among those that alone could make it fit (else the first).
  const ranked = settings
    .map((s) => ({ s, fits: largestFitting(s, budget) }))
    .sort((a, b) => Number(a.fits < 1) - Number(b.fits < 1) || a.fits / a.s.value - b.fits / b.s.value);
  const { s, fits } = ranked[0]!;
  const accepted = fits >= 1 ? `at these settings ${s.flag} can be at most ${fits}` : `no value of ${s.flag} fits at these settings`;
  throw new UsageError(
    `${s.flag} ${s.value}: ${what} would need about ${gib(bytes)} of memory, more than half of this machine's ${gib(2 * budget)}; ${accepted}`,
  );
}

/** A run's training, before its directory is made: the settings the request gave are the ones a refusal may name. */
export function checkTrainingMemory(model: BackboneConfig, batchSize: number, given: ReadonlySet<string>): void {
  const at = (change: Partial<Record<string, number>>) => trainingBytes({ ...model, ...change } as BackboneConfig, change['batchSize'] ?? batchSize);
  const candidates: (SizeSetting & { key: string })[] = [
    { key: 'batchSize', flag: '--batch-size', value: batchSize, bytesAt: (v) => at({ batchSize: v }) },
    { key: 'dim', flag: '--dim', value: model.dim, bytesAt: (v) => at({ dim: v }) },
    { key: 'timeFrequencies', flag: '--time-frequencies', value: model.timeFrequencies, bytesAt: (v) => at({ timeFrequencies: v }) },
    ...(model.kind === 'mlp'
      ? [
          { key: 'width', flag: '--width', value: model.width, bytesAt: (v: number) => at({ width: v }) },
          { key: 'depth', flag: '--depth', value: model.depth, bytesAt: (v: number) => at({ depth: v }) },
        ]
      : [{ key: 'blocksPerLevel', flag: '--blocks-per-level', value: model.blocksPerLevel, bytesAt: (v: number) => at({ blocksPerLevel: v }) }]),
  ];
  const named = candidates.filter((c) => given.has(c.key));
  checkMemory('training', named.length > 0 ? named : candidates);
}

/** A sampling of n points in batches (sample, and train's evaluation): a refusal names the number of samples or the batch. */
export function checkSamplingMemory(
  net: BackboneConfig,
  n: number,
  batchSize: number,
  image: boolean,
  flags: { n: string; batchSize: string },
): void {
  checkMemory('sampling and evaluating', [
    { flag: flags.n, value: n, bytesAt: (v) => samplingBytes(net, v, batchSize, image) },
    { flag: flags.batchSize, value: batchSize, bytesAt: (v) => samplingBytes(net, n, v, image) },
  ]);
}
