/** Weights as plain data: what every weight file format encodes. */
export interface NamedTensor {
  name: string;
  shape: number[];
  data: Float32Array;
}

export const elementCount = (shape: readonly number[]): number => shape.reduce((n, s) => n * s, 1);

/** Float32 values as little-endian bytes, whatever the platform's byte order. */
export function float32Bytes(values: Float32Array): Uint8Array {
  const out = new Uint8Array(values.length * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(4 * i, values[i]!, true);
  return out;
}

export function readFloat32(bytes: Uint8Array, begin: number, count: number): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset + begin, count * 4);
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = view.getFloat32(4 * i, true);
  return out;
}
