import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { integrateAdaptive, type Field } from '../src/sampler/dormand-prince.js';
import { useWasm } from './helpers.js';

beforeAll(useWasm);

// dy/dt = cos(t) y: y(t) = y(t0) exp(sin t - sin t0), a smooth field whose step size must vary.
const field: Field = (y, t) => tf.tidy(() => tf.mul(y, Math.cos(t)) as tf.Tensor2D);
const start = [[1, -0.5, 2]];
const tolerance = { rtol: 1e-6, atol: 1e-6 };

async function run(velocity: Field, t0: number, tEnd: number): Promise<{ values: Float32Array; times: number[] }> {
  const times: number[] = [];
  const y0 = tf.tensor2d(start);
  const y = await integrateAdaptive(velocity, y0, t0, tEnd, tolerance, { onAccept: async (t) => void times.push(t) });
  const values = y.dataSync() as Float32Array;
  tf.dispose([y0, y]);
  return { values, times };
}

describe('integrateAdaptive (Dormand-Prince 5(4))', () => {
  it('upwards: reaches tEnd exactly through increasing times, within its tolerance of the exact solution', async () => {
    const { values, times } = await run(field, 0, 3);
    expect(times.at(-1)).toBe(3);
    for (let i = 1; i < times.length; i++) expect(times[i]!).toBeGreaterThan(times[i - 1]!);
    // Several steps: the tolerance, not the span, set them.
    expect(times.length).toBeGreaterThan(5);
    const growth = Math.exp(Math.sin(3));
    // Global error within a few times the local tolerance (as the sampler's rk45 test allows).
    values.forEach((v, i) => {
      const exact = start[0]![i]! * growth;
      expect(Math.abs(v - exact)).toBeLessThan(3 * (tolerance.atol + tolerance.rtol * Math.abs(exact)));
    });
  });

  it('downwards: the mirrored field, integrated from 0 down to -3, takes the same steps bit for bit', async () => {
    const up = await run(field, 0, 3);
    // z(s) = y(-s) solves dz/ds = -cos(-s) z; with h < 0 every product is the upward one negated exactly.
    const down = await run((z, s) => tf.tidy(() => tf.neg(field(z, -s)) as tf.Tensor2D), 0, -3);
    expect(down.times).toEqual(up.times.map((t) => -t));
    expect(Array.from(down.values)).toEqual(Array.from(up.values));
  });

  it('leaves no tensor behind', async () => {
    await run(field, 0, 3);
    const before = tf.memory().numTensors;
    await run(field, 0, 3);
    await run(field, 3, 0);
    expect(tf.memory().numTensors).toBe(before);
  });
});
