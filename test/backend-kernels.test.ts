import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { mergePadAxes } from '../src/platform/webgpu/kernels.js';
import { useWasm } from './helpers.js';

const root = path.resolve(import.meta.dirname, '..');

/**
 * The kernel workarounds of the backend layer: the cpu backend's
 * ResizeNearestNeighborGrad (replaced on cpu and wasm: tfjs's are wrong), and on webgpu the
 * rank-5 pad and the many-input AddN (tfjs's fail there).
 */

/** The exact gradient of sum(resize(x) * dy) in x: the forward op is linear, so it is J^T dy, J built column by column. */
function transposeReference(shape: [number, number, number, number], size: [number, number], dy: tf.Tensor4D, alignCorners: boolean, halfPixelCenters: boolean): Float32Array {
  const n = shape.reduce((a, b) => a * b, 1);
  const dyValues = dy.dataSync();
  const out = new Float32Array(n);
  for (let k = 0; k < n; k++) {
    const basis = new Float32Array(n);
    basis[k] = 1;
    const column = tf.tidy(() => tf.image.resizeNearestNeighbor(tf.tensor4d(basis, shape), size, alignCorners, halfPixelCenters).dataSync());
    let dot = 0;
    for (let j = 0; j < column.length; j++) dot += column[j]! * dyValues[j]!;
    out[k] = dot;
  }
  return out;
}

describe('ResizeNearestNeighborGrad is the exact transpose of the forward op', () => {
  beforeAll(useWasm);

  const cases: [string, [number, number, number, number], [number, number], boolean, boolean][] = [
    ['2x upsampling (the U-Net)', [2, 4, 4, 3], [8, 8], false, false],
    ['odd upsampling', [1, 3, 5, 2], [7, 4], false, false],
    ['align corners', [1, 3, 4, 1], [5, 9], true, false],
    ['half-pixel centres', [1, 4, 3, 2], [9, 5], false, true],
    ['downsampling', [1, 6, 5, 1], [3, 2], false, false],
  ];
  for (const backend of ['cpu', 'wasm']) {
    it.each(cases)(`${backend}: %s`, async (_label, shape, size, alignCorners, halfPixelCenters) => {
      await tf.setBackend(backend);
      tf.tidy(() => {
        const x = tf.randomNormal(shape, 0, 1, 'float32', 1) as tf.Tensor4D;
        const dy = tf.randomNormal([shape[0], size[0], size[1], shape[3]], 0, 1, 'float32', 2) as tf.Tensor4D;
        const grad = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.image.resizeNearestNeighbor(t as tf.Tensor4D, size, alignCorners, halfPixelCenters), dy)))(x);
        const expected = transposeReference(shape, size, dy, alignCorners, halfPixelCenters);
        // Each entry sums at most a handful of dy values: equal to float32 rounding of those sums.
        expect(Array.from(grad.dataSync()).map((v, i) => Math.abs(v - expected[i]!))).toSatisfy((d: number[]) => Math.max(...d) < 1e-5);
      });
    });
  }
});

describe('pads at lower rank', () => {
  beforeAll(useWasm);

  it('merges unpadded axes into their padded neighbour', () => {
    expect(mergePadAxes([6, 1, 4, 1, 3], [[0, 0], [0, 1], [0, 0], [0, 1], [0, 0]])).toEqual({ shape: [6, 4, 3], paddings: [[0, 0], [0, 4], [0, 3]] });
    expect(mergePadAxes([2, 3, 4, 5, 6], [[1, 0], [1, 1], [0, 2], [1, 0], [2, 1]])).toEqual({ shape: [2, 3, 4, 5, 6], paddings: [[1, 0], [1, 1], [0, 2], [1, 0], [2, 1]] });
    expect(mergePadAxes([2, 3, 4, 5, 6], [[0, 0], [0, 0], [2, 1], [0, 0], [0, 0]])).toEqual({ shape: [6, 120], paddings: [[0, 0], [60, 30]] });
  });

  it('the merged pad gives the same tensor', () => {
    tf.tidy(() => {
      const x = tf.randomNormal([3, 1, 4, 1, 2], 0, 1, 'float32', 3);
      const paddings: [number, number][] = [[0, 0], [0, 2], [0, 0], [1, 1], [0, 0]];
      const m = mergePadAxes(x.shape, paddings);
      const merged = tf.reshape(tf.pad(tf.reshape(x, m.shape), m.paddings, 0.5), [3, 3, 4, 3, 2]);
      expect(Array.from(merged.dataSync())).toEqual(Array.from(tf.pad(x, paddings, 0.5).dataSync()));
    });
  });
});

describe('webgpu kernel workarounds', () => {
  it('a rank-5 pad and a 40-input AddN match the cpu backend (where webgpu loads)', (ctx) => {
    const code = `
      import * as tf from '@tensorflow/tfjs-core';
      import { initBackend } from ${JSON.stringify(path.join(root, 'src/platform/backend.ts'))};
      const results = {};
      for (const name of ['cpu', 'webgpu']) {
        try { await initBackend(name); } catch (err) { results[name] = { unavailable: String(err.message) }; continue; }
        const x = tf.tensor(Array.from({ length: 720 }, (_, i) => Math.sin(i)), [2, 3, 4, 5, 6]);
        const pad = tf.pad(x, [[1, 0], [1, 1], [0, 2], [1, 0], [2, 1]], 0.5);
        const sum = tf.addN(Array.from({ length: 40 }, (_, i) => tf.fill([3], i)));
        results[name] = { pad: Array.from(await pad.data()), shape: pad.shape, sum: Array.from(await sum.data()) };
      }
      console.log(JSON.stringify(results));`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { cwd: root, encoding: 'utf8', timeout: 120_000 });
    expect(r.status, r.stderr).toBe(0);
    const results = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Record<string, { unavailable?: string; pad: number[]; shape: number[]; sum: number[] }>;
    if (results['webgpu']!.unavailable !== undefined) {
      console.log(`webgpu kernel workarounds not run: ${results['webgpu']!.unavailable}`);
      ctx.skip(`webgpu cannot load here: ${results['webgpu']!.unavailable}`);
    }
    expect(results['webgpu']!.shape).toEqual([3, 5, 6, 6, 9]);
    expect(results['webgpu']!.pad).toEqual(results['cpu']!.pad);
    expect(results['webgpu']!.sum).toEqual([780, 780, 780]);
  });
});
