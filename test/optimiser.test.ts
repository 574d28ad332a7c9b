import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createOptimiser, type Optimiser } from '../src/optim/optimiser.js';
import { Rng } from '../src/rng.js';
import { useWasm } from './helpers.js';

beforeAll(useWasm);

const SHAPES = [[7, 5], [5], [5, 3], [3]];

function gaussianArray(rng: Rng, size: number, scale: number): Float32Array {
  return Float32Array.from({ length: size }, () => scale * rng.normal());
}

/** Runs both placements on the same start and the same gradients. */
function runBoth(steps: number, gradScale: (step: number) => number) {
  const rng = Rng.fromSeed(5);
  const start = SHAPES.map((s) => gaussianArray(rng, s.reduce((a, b) => a * b, 1), 1));
  const setups = (['host', 'device'] as const).map((placement) => {
    const params = start.map((v, i) => tf.variable(tf.tensor(v, SHAPES[i]!)));
    return { params, optimiser: createOptimiser(params, { emaHalfLife: 5, placement }) };
  });
  const results: { host: unknown[]; device: unknown[] } = { host: [], device: [] };
  for (let step = 1; step <= steps; step++) {
    const grads = SHAPES.map((s) => gaussianArray(rng, s.reduce((a, b) => a * b, 1), gradScale(step)));
    const loss = rng.normal();
    for (const [k, { optimiser }] of setups.entries()) {
      const r = tf.tidy(() => optimiser.update(tf.scalar(loss), grads.map((g, i) => tf.tensor(g, SHAPES[i]!)), 1e-2, 1, step));
      results[k === 0 ? 'host' : 'device'].push(r);
    }
  }
  return { start, setups, results };
}

const maxDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!) / (1 + Math.abs(b[i]!))), 0);

function state(o: Optimiser) {
  const s = o.stateArrays(SHAPES.map((_, i) => `t${i}`));
  return [...s.ema, ...s.adam_m, ...s.adam_v].map((a) => Float32Array.from(a.read()));
}

describe('host and device optimisers', () => {
  it('give the same weights, EMA, moments and reported norms to float32 round-off (clipped and unclipped steps)', () => {
    // Every third step has gradients far above the clip norm of 1.
    const { start, setups, results } = runBoth(60, (step) => (step % 3 === 0 ? 10 : 0.05));
    const [host, device] = setups;
    expect(results.host).toHaveLength(60);
    results.host.forEach((r, i) => {
      const d = results.device[i] as { loss: number; gradNorm: number; finite: boolean };
      const h = r as typeof d;
      expect(h.finite).toBe(true);
      expect(h.loss).toBe(d.loss);
      expect(Math.abs(h.gradNorm - d.gradNorm) / d.gradNorm).toBeLessThan(1e-6);
    });
    host!.params.forEach((p, i) => expect(maxDiff(p.dataSync() as Float32Array, device!.params[i]!.dataSync() as Float32Array)).toBeLessThan(1e-5));
    const [hs, ds] = [state(host!.optimiser), state(device!.optimiser)];
    hs.forEach((a, i) => expect(maxDiff(a, ds[i]!)).toBeLessThan(1e-5));
    // And the updates moved the weights far beyond that tolerance.
    expect(maxDiff(host!.params[0]!.dataSync() as Float32Array, start[0]!)).toBeGreaterThan(1e-2);
  });

  it.each(['host', 'device'] as const)('%s: a non-finite gradient changes nothing and is reported', (placement) => {
    const params = [tf.variable(tf.tensor([1, 2, 3]))];
    const optimiser = createOptimiser(params, { emaHalfLife: 5, placement });
    const before = Float32Array.from(params[0]!.dataSync() as Float32Array);
    const r = tf.tidy(() => optimiser.update(tf.scalar(0.5), [tf.tensor([1, Number.NaN, 0])], 1e-2, 1, 1));
    expect(r.finite).toBe(false);
    expect(Array.from(params[0]!.dataSync())).toEqual(Array.from(before));
    expect(Array.from(optimiser.stateArrays(['p']).adam_m[0]!.read())).toEqual([0, 0, 0]);
  });

  it.each(['host', 'device'] as const)('%s: copyEmaToParams sets the weights to the EMA', (placement) => {
    const params = [tf.variable(tf.tensor([0, 0]))];
    const optimiser = createOptimiser(params, { emaHalfLife: 1, placement });
    for (let step = 1; step <= 5; step++) tf.tidy(() => optimiser.update(tf.scalar(1), [tf.tensor([1, -1])], 0.1, 10, step));
    const ema = Float32Array.from(optimiser.stateArrays(['p']).ema[0]!.read());
    expect(Math.abs(ema[0]! - (params[0]!.dataSync()[0] as number))).toBeGreaterThan(1e-3);
    optimiser.copyEmaToParams();
    expect(Array.from(params[0]!.dataSync())).toEqual(Array.from(ema));
  });
});
