import * as fs from 'node:fs';
import type { CheckpointHeader } from '../src/checkpoint.js';

/**
 * The version 1 writer as it was before checkpoints carried a SHA-256, kept
 * here so tests can make the files that older builds left behind:
 * "SCORESDE", uint32 version 1, uint32 header length, JSON header, zero
 * padding to 4 bytes, float32 little-endian data.
 */
export function encodeCheckpointV1(header: CheckpointHeader, data: Float32Array): Uint8Array {
  const json = new TextEncoder().encode(JSON.stringify({ ...header, version: 1 }));
  const dataStart = (16 + json.length + 3) & ~3;
  const bytes = new Uint8Array(dataStart + data.length * 4);
  const view = new DataView(bytes.buffer);
  bytes.set(new TextEncoder().encode('SCORESDE'), 0);
  view.setUint32(8, 1, true);
  view.setUint32(12, json.length, true);
  bytes.set(json, 16);
  for (let i = 0; i < data.length; i++) view.setFloat32(dataStart + 4 * i, data[i]!, true);
  return bytes;
}

/** Rewrites a checkpoint file in the version 1 format, with the same header and data. */
export function writeCheckpointV1(file: string, header: CheckpointHeader, data: Float32Array): void {
  fs.writeFileSync(file, encodeCheckpointV1(header, data));
}
