import * as tf from '@tensorflow/tfjs-core';
import { createMlp } from '../../models/mlp.js';
import { createTarget } from '../../datasets/index.js';
import { mmd2 } from '../metrics/mmd.js';
import { sinkhornDivergence } from '../metrics/sinkhorn.js';
import { createProcess } from '../process/index.js';
import { Rng } from '../rng.js';
import { sampleReverseSde } from '../sampler/reverse-sde.js';
import { networkScoreFunction } from '../sampler/score-function.js';
import type { ScoreNetwork } from '../score-network.js';
import { convCase, unetCase } from './image-cases.js';
import { measure, measurePair, type Timing } from './timing.js';
import { batchTensors } from '../train/batch.js';
import { replicaRunner, replicasSuffix } from './replica-runner.js';
import { benchBatchArrays, benchMlpNetwork, fastRunner, layersRunner, mlpConfig, trainStepFlops, BENCH_TIME_FREQUENCIES, type StepRunner, type TrainCase } from './training.js';

export const BENCH_CASES = ['mlp50', 'mlp2', 'sample', 'mmd', 'sinkhorn', 'conv', 'unet'] as const;
export type BenchCaseName = (typeof BENCH_CASES)[number];

export interface BenchRow {
  case: BenchCaseName;
  description: string;
  /** Median wall time of one unit (training step, sampler step, metric evaluation). */
  ms: number;
  minMs: number;
  repeats: number;
  /** Achieved matmul GFLOP/s, where the work is dominated by matrix products. */
  gflops?: number;
  /** Sampler steps per second. */
  stepsPerSecond?: number;
  /** The same network built with tf.layers + optimizer.minimize, timed alternately with ours. */
  baseline?: { ms: number; minMs: number; speedup: number };
  /** Data-parallel replicas of the training step (training cases only). */
  replicas?: number;
  note?: string;
}

export interface BenchOptions {
  /** Multiplies every case's repeat count (1 = default). */
  repeatScale: number;
  /** Skip the tf.layers baseline of the training cases. */
  baseline: boolean;
  /** Data-parallel replicas of the training cases' step (1: the plain step). */
  replicas: number;
}

const TRAIN_CASES: Record<'mlp50' | 'mlp2', TrainCase> = {
  mlp50: { dim: 50, width: 256, depth: 3, batchSize: 512 },
  mlp2: { dim: 2, width: 128, depth: 3, batchSize: 512 },
};

const scaled = (n: number, o: BenchOptions) => Math.max(3, Math.round(n * o.repeatScale));

/** Steps are timed in groups, so one timing sample is long enough to be stable. */
const STEPS_PER_SAMPLE = 5;

async function trainCase(name: 'mlp50' | 'mlp2', o: BenchOptions): Promise<BenchRow> {
  const c = TRAIN_CASES[name];
  const arrays = benchBatchArrays(c.dim, c.batchSize);
  const batches = arrays.map(batchTensors);
  const fast: StepRunner = o.replicas > 1 ? await replicaRunner(benchMlpNetwork(c), arrays, o.replicas) : fastRunner(c, batches);
  const group = (r: { step(): number }) => () => {
    for (let i = 0; i < STEPS_PER_SAMPLE; i++) r.step();
  };
  const repeats = scaled(20, o);
  let ours: Timing;
  let baseline: BenchRow['baseline'];
  if (o.baseline) {
    const layers = layersRunner(c, batches);
    const pair = await measurePair(group(fast), group(layers), { warmup: 2, repeats });
    layers.dispose();
    ours = pair.a;
    const ms = pair.b.median / STEPS_PER_SAMPLE;
    baseline = { ms, minMs: pair.b.min / STEPS_PER_SAMPLE, speedup: pair.b.median / pair.a.median };
  } else {
    ours = await measure(group(fast), { warmup: 2, repeats });
  }
  await fast.dispose();
  tf.dispose(batches.flatMap((b) => [b.x, b.eps, b.tau, b.a, b.b]));
  const ms = ours.median / STEPS_PER_SAMPLE;
  const inputs = c.dim + 2 * BENCH_TIME_FREQUENCIES;
  return {
    case: name,
    description: `train step, MLP ${inputs} -> ${c.depth} x ${c.width} -> ${c.dim}, batch ${c.batchSize}${replicasSuffix(o.replicas)}`,
    ms,
    minMs: ours.min / STEPS_PER_SAMPLE,
    repeats: repeats * STEPS_PER_SAMPLE,
    gflops: trainStepFlops(c, BENCH_TIME_FREQUENCIES) / (ms * 1e6),
    ...(baseline ? { baseline } : {}),
    replicas: o.replicas,
  };
}

/** Points of a 50-D standard Gaussian, float64 row-major. */
function gaussianPoints(n: number, dim: number, seed: number, shift = 0): Float64Array {
  const x = createTarget('gaussian', { dim }).sample(n, Rng.fromSeed(seed));
  if (shift !== 0) for (let i = 0; i < x.length; i += dim) x[i] += shift;
  return x;
}

async function sampleCase(o: BenchOptions): Promise<BenchRow> {
  const [n, dim, steps] = [10_000, 50, 10];
  const backbone = createMlp(mlpConfig(TRAIN_CASES.mlp50), Rng.fromSeed(3));
  const net: ScoreNetwork = { backbone, parameterisation: 'noise', dataStd: 1 };
  const path = createProcess('vp');
  const score = networkScoreFunction(net);
  const options = { steps, tauMin: path.tauMin, tauMax: path.tauMax, denoise: false, batchSize: n, seed: 5 };
  const repeats = scaled(3, o);
  const t = await measure(() => sampleReverseSde(path, score, n, dim, options), { warmup: 1, repeats });
  backbone.dispose();
  const ms = t.median / steps;
  const c = { ...TRAIN_CASES.mlp50, batchSize: n };
  return {
    case: 'sample',
    description: `Euler-Maruyama step, ${n} particles in ${dim}-D, MLP 3 x 256 score`,
    ms,
    minMs: t.min / steps,
    repeats: repeats * steps,
    // Forward pass only: a third of a training step's matmul work.
    gflops: trainStepFlops(c, BENCH_TIME_FREQUENCIES) / 3 / (ms * 1e6),
    stepsPerSecond: 1000 / ms,
  };
}

async function mmdCase(o: BenchOptions): Promise<BenchRow> {
  const [n, dim] = [5000, 50];
  const x = gaussianPoints(n, dim, 21);
  const y = gaussianPoints(n, dim, 22, 0.1);
  const repeats = scaled(3, o);
  const t = await measure(() => mmd2(x, y, dim), { warmup: 1, repeats });
  return {
    case: 'mmd',
    description: `MMD^2, ${n} x ${n} points in ${dim}-D (pure JS, median bandwidth)`,
    ms: t.median,
    minMs: t.min,
    repeats,
  };
}

async function sinkhornCase(o: BenchOptions): Promise<BenchRow> {
  const [n, dim] = [2000, 50];
  const x = gaussianPoints(n, dim, 31);
  const y = gaussianPoints(n, dim, 32, 0.1);
  const repeats = scaled(3, o);
  let last = { iterations: 0, converged: false };
  const t = await measure(() => {
    const r = sinkhornDivergence(x, y, dim);
    last = { iterations: r.iterations, converged: r.converged };
  }, { warmup: 1, repeats });
  return {
    case: 'sinkhorn',
    description: `Sinkhorn divergence, ${n} x ${n} points in ${dim}-D, to tol 1e-6`,
    ms: t.median,
    minMs: t.min,
    repeats,
    note: `${last.iterations} iterations, converged: ${last.converged}`,
  };
}

export async function runBenchCase(name: BenchCaseName, o: BenchOptions): Promise<BenchRow> {
  switch (name) {
    case 'mlp50':
    case 'mlp2':
      return trainCase(name, o);
    case 'sample':
      return sampleCase(o);
    case 'mmd':
      return mmdCase(o);
    case 'sinkhorn':
      return sinkhornCase(o);
    case 'conv':
      return { case: name, ...(await convCase({ repeats: scaled(7, o) })) };
    case 'unet':
      return { case: name, ...(await unetCase({ repeats: scaled(5, o), replicas: o.replicas })), replicas: o.replicas };
  }
}
