import * as tf from '@tensorflow/tfjs-core';
import { isHostMemoryBackend, registerHostKernel } from './host-memory.js';

const KERNEL = 'ScoreSdeTranspose2D';
/** Tile edge: a 32 x 32 float32 tile of source and destination stays in L1. */
const TILE = 32;

function transposeInto(src: Float32Array, dst: Float32Array, rows: number, cols: number): void {
  for (let i0 = 0; i0 < rows; i0 += TILE) {
    const i1 = Math.min(rows, i0 + TILE);
    for (let j0 = 0; j0 < cols; j0 += TILE) {
      const j1 = Math.min(cols, j0 + TILE);
      for (let i = i0; i < i1; i++) {
        const from = i * cols;
        for (let j = j0; j < j1; j++) dst[j * rows + i] = src[from + j]!;
      }
    }
  }
}

registerHostKernel(KERNEL, (memory, inputs) => {
  const x = inputs['x']!;
  const [rows, cols] = x.shape as [number, number];
  const out = memory.allocate([cols, rows]);
  transposeInto(memory.read(x), out.values, rows, cols);
  return out.info;
});

tf.registerGradient({ kernelName: KERNEL, gradFunc: (dy) => ({ x: () => transpose2d(dy as tf.Tensor2D) }) });

/**
 * x^T for a 2-D float32 tensor. On the wasm and cpu backends a tiled loop
 * over tensor memory (2-3x faster than tfjs's generic N-D transpose kernel,
 * which the backward pass of every dense layer calls twice); elsewhere
 * tf.transpose. Differentiable.
 */
export function transpose2d(x: tf.Tensor2D): tf.Tensor2D {
  if (!isHostMemoryBackend(tf.getBackend()) || x.dtype !== 'float32') return tf.transpose(x);
  return tf.engine().runKernel(KERNEL, { x }) as tf.Tensor2D;
}
