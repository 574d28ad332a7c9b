import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { activate, type Activation } from '../models/activations.js';
import { denseActivation, FUSED_ACTIVATIONS } from '../models/dense.js';
import { createMlp, type MlpConfig } from '../models/mlp.js';
import { fourierFrequencies, timeFeatures } from '../models/time-features.js';
import { dsmLoss } from '../src/loss.js';
import { createOptimiser, OPTIMISER_PLACEMENTS } from '../src/optim/optimiser.js';
import { createProcess } from '../src/process/index.js';
import { Rng } from '../src/rng.js';
import { sampleReverseSde } from '../src/sampler/reverse-sde.js';
import { networkScoreFunction } from '../src/sampler/score-function.js';
import type { ScoreNetwork } from '../src/score-network.js';
import { trainStep } from '../src/train/step.js';
import { benchBatches } from '../src/bench/training.js';
import { useWasm } from './helpers.js';

beforeAll(useWasm);

/** Max |a - b| relative to max |b| (float32 tolerance for sums of hundreds of products). */
function relErr(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]! / Math.max(1e-30, tf.max(tf.abs(b)).dataSync()[0]!));
}

const normal = (shape: number[], seed: number) => tf.randomNormal(shape, 0, 1, 'float32', seed);

/** The plain formula, differentiated by tfjs's own autodiff. */
function plainLayer(x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D, act: Activation | 'linear'): tf.Tensor2D {
  const z = tf.add(tf.matMul(x, w), b) as tf.Tensor2D;
  return act === 'linear' ? z : activate(z, act);
}

describe('fast dense layers', () => {
  it.each(FUSED_ACTIVATIONS)('%s: value and gradients match autodiff of the plain formula', (act) => {
    tf.tidy(() => {
      const x = normal([37, 19], 1) as tf.Tensor2D;
      const w = normal([19, 23], 2) as tf.Tensor2D;
      const b = normal([23], 3) as tf.Tensor1D;
      const r = normal([37, 23], 4);
      const f = (layer: typeof plainLayer) => (xx: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) =>
        tf.sum(tf.mul(layer(xx as tf.Tensor2D, ww as tf.Tensor2D, bb as tf.Tensor1D, act), r));
      const fast = tf.grads(f((xx, ww, bb) => denseActivation(xx, ww, bb, act)))([x, w, b]);
      const plain = tf.grads(f(plainLayer))([x, w, b]);
      expect(relErr(denseActivation(x, w, b, act), plainLayer(x, w, b, act))).toBeLessThan(1e-6);
      fast.forEach((g, i) => expect(relErr(g, plain[i]!)).toBeLessThan(1e-5));
    });
  });

  it('second derivatives (Jacobian-vector products, as the diagnostics take them) match autodiff', () => {
    tf.tidy(() => {
      const x = normal([8, 6], 5) as tf.Tensor2D;
      const w = normal([6, 6], 6) as tf.Tensor2D;
      const b = normal([6], 7) as tf.Tensor1D;
      const v = normal([8, 6], 8) as tf.Tensor2D;
      const jv = (layer: (x: tf.Tensor2D) => tf.Tensor2D) => {
        const vjp = (u: tf.Tensor2D) => tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(layer(xx as tf.Tensor2D), u)))(x) as tf.Tensor2D;
        return tf.grad((u: tf.Tensor) => tf.sum(tf.mul(vjp(u as tf.Tensor2D), v)))(tf.zerosLike(v));
      };
      expect(relErr(jv((xx) => denseActivation(xx, w, b, 'silu')), jv((xx) => plainLayer(xx, w, b, 'silu')))).toBeLessThan(1e-5);
    });
  });
});

/** The backbone's forward pass rebuilt from its own variables with plain ops only. */
function plainMlpLoss(net: ScoreNetwork, batch: ReturnType<typeof benchBatches>[number], omega: tf.Tensor2D): tf.Scalar {
  const vars = net.backbone.params.map((p) => p.variable as tf.Tensor);
  const variance = tf.add(tf.square(tf.mul(batch.a, net.dataStd)), tf.square(batch.b));
  let h = tf.concat([tf.mul(batch.x, tf.rsqrt(variance)), timeFeatures(batch.tau, omega)], 1) as tf.Tensor2D;
  const layers = vars.length / 2;
  for (let i = 0; i < layers; i++) {
    const z = tf.add(tf.matMul(h, vars[2 * i]!), vars[2 * i + 1]!) as tf.Tensor2D;
    h = i + 1 < layers ? activate(z, (net.backbone.config as MlpConfig).activation) : z;
  }
  return tf.mean(tf.square(tf.add(tf.neg(h), batch.eps)));
}

describe('fast MLP training step', () => {
  it.each(['silu', 'relu', 'tanh', 'gelu'] as const)('%s: DSM loss and gradients match autodiff of the plain network', (activation) => {
    const config = { kind: 'mlp' as const, dim: 5, width: 32, depth: 3, activation, timeFrequencies: 4, maxFrequency: 16 };
    const backbone = createMlp(config, Rng.fromSeed(9));
    const net: ScoreNetwork = { backbone, parameterisation: 'noise', dataStd: 1.3 };
    const [batch] = benchBatches(5, 64, 1);
    const omega = tf.tensor2d(fourierFrequencies(4, 16), [1, 4]);
    const vars = backbone.params.map((p) => p.variable);
    const fast = tf.variableGrads(() => dsmLoss(net, batch!), vars);
    const plain = tf.variableGrads(() => plainMlpLoss(net, batch!, omega), vars);
    expect(relErr(fast.value, plain.value)).toBeLessThan(1e-6);
    for (const v of vars) expect(relErr(fast.grads[v.name]!, plain.grads[v.name]!)).toBeLessThan(1e-5);
    tf.dispose([fast.value, plain.value, ...Object.values(fast.grads), ...Object.values(plain.grads), omega]);
    tf.dispose([batch!.x, batch!.eps, batch!.tau, batch!.a, batch!.b]);
    backbone.dispose();
  });
});

describe('no tensor leaks', () => {
  const config = { kind: 'mlp' as const, dim: 3, width: 32, depth: 3, activation: 'silu' as const, timeFrequencies: 4, maxFrequency: 16 };

  it.each(OPTIMISER_PLACEMENTS)('tf.memory() stays flat over 300 training steps (%s optimiser)', (placement) => {
    const backbone = createMlp(config, Rng.fromSeed(1));
    const net: ScoreNetwork = { backbone, parameterisation: 'noise', dataStd: 1 };
    const vars = backbone.params.map((p) => p.variable);
    const optimiser = createOptimiser(vars, { emaHalfLife: 20, placement });
    const batches = benchBatches(3, 32, 3);
    const seen: { numTensors: number; numBytes: number }[] = [];
    for (let step = 1; step <= 300; step++) {
      // Alternate clipped and unclipped updates (clipByGlobalNorm returns new tensors only when it clips).
      const result = trainStep(net, optimiser, batches[step % 3]!, 1e-3, step % 2 === 0 ? 1e-3 : 1e3, step);
      expect(result.finite).toBe(true);
      if (step % 50 === 0) seen.push({ numTensors: tf.memory().numTensors, numBytes: tf.memory().numBytes });
    }
    expect(new Set(seen.map((m) => JSON.stringify(m))).size).toBe(1);
    optimiser.dispose();
    backbone.dispose();
    tf.dispose(batches.flatMap((b) => [b.x, b.eps, b.tau, b.a, b.b]));
  });

  it('tf.memory() stays flat over 300 sampling steps and returns to its start', async () => {
    const backbone = createMlp(config, Rng.fromSeed(2));
    const net: ScoreNetwork = { backbone, parameterisation: 'noise', dataStd: 1 };
    const path = createProcess('vp');
    const before = tf.memory();
    const seen: string[] = [];
    await sampleReverseSde(
      path,
      networkScoreFunction(net),
      100,
      3,
      { steps: 300, tauMin: path.tauMin, tauMax: path.tauMax, denoise: true, batchSize: 100, seed: 1 },
      // The call at 0 announces the total before the particles exist; the steps after it must not grow.
      (done) => {
        if (done > 0) seen.push(JSON.stringify({ t: tf.memory().numTensors, b: tf.memory().numBytes }));
      },
    );
    expect(seen.length).toBeGreaterThanOrEqual(12);
    expect(new Set(seen).size).toBe(1);
    expect(tf.memory().numTensors).toBe(before.numTensors);
    expect(tf.memory().numBytes).toBe(before.numBytes);
    backbone.dispose();
  });
});
