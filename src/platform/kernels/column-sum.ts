import * as tf from '@tensorflow/tfjs-core';
import { isHostMemoryBackend, registerHostKernel } from './host-memory.js';

const KERNEL = 'ScoreSdeColumnSum';

registerHostKernel(KERNEL, (memory, inputs) => {
  const x = inputs['x']!;
  const [rows, cols] = x.shape as [number, number];
  const src = memory.read(x);
  // Row by row, so memory is read once in order; float64 accumulators.
  const acc = new Float64Array(cols);
  for (let i = 0; i < rows; i++) {
    const from = i * cols;
    for (let j = 0; j < cols; j++) acc[j] += src[from + j]!;
  }
  const out = memory.allocate([cols]);
  out.values.set(acc);
  return out.info;
});

tf.registerGradient({
  kernelName: KERNEL,
  inputsToSave: ['x'],
  gradFunc: (dy, saved) => {
    const [rows, cols] = saved[0]!.shape as [number, number];
    return { x: () => tf.broadcastTo(tf.reshape(dy as tf.Tensor, [1, cols]), [rows, cols]) };
  },
});

/**
 * Sum over the rows of a 2-D float32 tensor ([n, c] -> [c], a dense layer's
 * bias gradient). tfjs reduces over the first axis by transposing first; on
 * the wasm and cpu backends this is one pass over memory instead. Elsewhere
 * tf.sum(x, 0). Differentiable.
 */
export function columnSum(x: tf.Tensor2D): tf.Tensor1D {
  if (!isHostMemoryBackend(tf.getBackend()) || x.dtype !== 'float32') return tf.sum(x, 0);
  return tf.engine().runKernel(KERNEL, { x }) as tf.Tensor1D;
}
