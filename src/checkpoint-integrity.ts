import { createHash } from 'node:crypto';

/**
 * What a checkpoint's own bytes can tell about damage: a SHA-256 over the file
 * (written from format version 2 on) and weights that training never writes.
 */
export const DIGEST_BYTES = 32;

export function sha256(bytes: Uint8Array): Uint8Array {
  return createHash('sha256').update(bytes).digest();
}

/** True when the last DIGEST_BYTES of `bytes` are the SHA-256 of everything before them. */
export function digestMatches(bytes: Uint8Array): boolean {
  const end = bytes.length - DIGEST_BYTES;
  const digest = sha256(bytes.subarray(0, end));
  return digest.every((b, i) => b === bytes[end + i]);
}

/**
 * The first tensor holding NaN or Infinity: the optimisers update nothing on a
 * non-finite step, so such a value in a checkpoint means the file was damaged
 * (which a version 1 file, having no checksum, can only show this way).
 */
export function firstNonFiniteTensor(tensors: { name: string; shape: number[]; offset: number }[], data: Float32Array): string | undefined {
  for (let i = 0; i < data.length; i++) {
    if (Number.isFinite(data[i]!)) continue;
    const hit = tensors.find((t) => i >= t.offset && i < t.offset + t.shape.reduce((a, b) => a * b, 1));
    return hit?.name ?? `value ${i}`;
  }
  return undefined;
}
