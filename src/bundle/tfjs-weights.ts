import { BundleError } from './errors.js';
import type { TensorSpec } from './format.js';
import { elementCount, float32Bytes, readFloat32, type NamedTensor } from './named-tensors.js';

/**
 * TensorFlow.js's weight layout: one binary file, the tensors' float32
 * little-endian data concatenated in manifest order, described by a
 * weightsManifest entry { paths: [file], weights: [{ name, shape, dtype }] }.
 */
export function encodeTfjsWeights(tensors: NamedTensor[]): Uint8Array {
  const out = new Uint8Array(tensors.reduce((n, t) => n + 4 * t.data.length, 0));
  let pos = 0;
  for (const t of tensors) {
    out.set(float32Bytes(t.data), pos);
    pos += 4 * t.data.length;
  }
  return out;
}

export function decodeTfjsWeights(bytes: Uint8Array, specs: TensorSpec[], file: string): NamedTensor[] {
  const expected = specs.reduce((n, s) => n + 4 * elementCount(s.shape), 0);
  if (bytes.length < expected) throw new BundleError(`${file}: truncated: expected ${expected} bytes, found ${bytes.length}`);
  if (bytes.length > expected) throw new BundleError(`${file}: corrupt: expected ${expected} bytes, found ${bytes.length}`);
  let pos = 0;
  return specs.map((s) => {
    const count = elementCount(s.shape);
    const t = { name: s.name, shape: s.shape, data: readFloat32(bytes, pos, count) };
    pos += 4 * count;
    return t;
  });
}
