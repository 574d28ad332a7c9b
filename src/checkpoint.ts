import * as fs from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { writeFileAtomicSync, type AtomicWriteOptions } from './io/atomic.js';
import { DIGEST_BYTES, digestMatches, firstNonFiniteTensor, sha256 } from './checkpoint-integrity.js';

/**
 * Training state in one file, written atomically (all numbers little-endian):
 *   8-byte magic "SCORESDE", uint32 format version (2), uint32 header length,
 *   uint64 file length, UTF-8 JSON header, zero padding to 4 bytes, float32
 *   data, then the SHA-256 of every byte before it.
 * Version 1 (still read) has no file length and no SHA-256.
 * One file means a crash can never pair weights with the wrong optimiser state.
 */
const MAGIC = 'SCORESDE';
export const CHECKPOINT_VERSION = 2;
const UNCHECKED_VERSION = 1;
/** Prefix bytes before the JSON header, by version. */
const PREFIX = { 1: 16, 2: 24 } as const;
const DAMAGED = 'restore it from a copy, or train again (no earlier checkpoint is kept)';
export const CHECKPOINT_FILE = 'checkpoint.bin';

export interface TensorEntry {
  name: string;
  shape: number[];
  /** Offset into the data section, in float32 elements. */
  offset: number;
}

export interface CheckpointHeader {
  version: number;
  /** Optimiser updates done. */
  step: number;
  tensors: TensorEntry[];
  /** Free-form extra state (for example the random-stream key). */
  meta: Record<string, unknown>;
}

export interface Checkpoint {
  header: CheckpointHeader;
  data: Float32Array;
}

export class CheckpointError extends Error {}

/**
 * One named float32 array of the training state, wherever it lives: a tfjs
 * variable (the weights) or host memory (optimiser moments kept on the CPU).
 */
export interface StoredArray {
  name: string;
  shape: number[];
  read(): Float32Array;
  write(values: Float32Array): void;
}

/** Named array groups, e.g. params, ema, adam_m, adam_v. */
export type ArrayGroups = Record<string, StoredArray[]>;

/** Variables as checkpoint arrays: read copies the values out, write assigns a new tensor. */
export function variableArrays(list: { name: string; variable: tf.Variable }[]): StoredArray[] {
  return list.map(({ name, variable }) => ({
    name,
    shape: variable.shape,
    read: () => variable.dataSync() as Float32Array,
    write: (values) => tf.tidy(() => variable.assign(tf.tensor(values, variable.shape))),
  }));
}

export function encodeCheckpoint(step: number, groups: ArrayGroups, meta: Record<string, unknown>): Uint8Array {
  const tensors: TensorEntry[] = [];
  const values: Float32Array[] = [];
  let offset = 0;
  for (const [group, list] of Object.entries(groups)) {
    for (const array of list) {
      tensors.push({ name: `${group}/${array.name}`, shape: array.shape, offset });
      const v = array.read();
      values.push(v);
      offset += v.length;
    }
  }
  const header: CheckpointHeader = { version: CHECKPOINT_VERSION, step, tensors, meta };
  const json = new TextEncoder().encode(JSON.stringify(header));
  const dataStart = align4(PREFIX[2] + json.length);
  const digestStart = dataStart + offset * 4;
  const bytes = new Uint8Array(digestStart + DIGEST_BYTES);
  const view = new DataView(bytes.buffer);
  bytes.set(new TextEncoder().encode(MAGIC), 0);
  view.setUint32(8, CHECKPOINT_VERSION, true);
  view.setUint32(12, json.length, true);
  view.setBigUint64(16, BigInt(bytes.length), true);
  bytes.set(json, PREFIX[2]);
  let pos = dataStart;
  for (const v of values) {
    for (let i = 0; i < v.length; i++, pos += 4) view.setFloat32(pos, v[i]!, true);
  }
  bytes.set(sha256(bytes.subarray(0, digestStart)), digestStart);
  return bytes;
}

function align4(n: number): number {
  return (n + 3) & ~3;
}

export function decodeCheckpoint(bytes: Uint8Array, file: string): Checkpoint {
  const fail = (why: string) => new CheckpointError(`${file}: ${why}`);
  if (bytes.length < 16 || new TextDecoder().decode(bytes.subarray(0, 8)) !== MAGIC) {
    throw fail('not a score-sde checkpoint (bad magic bytes)');
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(8, true);
  if (version !== UNCHECKED_VERSION && version !== CHECKPOINT_VERSION) {
    throw fail(`checkpoint format version ${version} is not supported (this build reads versions 1 to ${CHECKPOINT_VERSION})`);
  }
  const prefix = PREFIX[version];
  const trailer = version === UNCHECKED_VERSION ? 0 : DIGEST_BYTES;
  if (trailer > 0) {
    // The length first, so a file cut short is reported as such rather than as a checksum mismatch.
    if (bytes.length < prefix + trailer) throw fail('truncated checkpoint (header cut short)');
    const length = Number(view.getBigUint64(16, true));
    if (length !== bytes.length) throw fail(`truncated or corrupt checkpoint: expected ${length} bytes, found ${bytes.length}`);
    if (!digestMatches(bytes)) {
      throw fail(`damaged: its contents do not match the SHA-256 checksum written with it; ${DAMAGED}`);
    }
  }
  const headerLength = view.getUint32(12, true);
  if (prefix + headerLength > bytes.length) throw fail('truncated checkpoint (header cut short)');
  let header: CheckpointHeader;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(prefix, prefix + headerLength))) as CheckpointHeader;
  } catch {
    throw fail('corrupt checkpoint header (invalid JSON)');
  }
  if (!Array.isArray(header.tensors) || !Number.isInteger(header.step)) throw fail('corrupt checkpoint header');
  const dataStart = align4(prefix + headerLength);
  const count = header.tensors.reduce((n, t) => n + t.shape.reduce((a, b) => a * b, 1), 0);
  const expected = dataStart + 4 * count + trailer;
  if (bytes.length !== expected) {
    throw fail(`truncated or corrupt checkpoint: expected ${expected} bytes, found ${bytes.length}`);
  }
  const data = new Float32Array(count);
  for (let i = 0; i < count; i++) data[i] = view.getFloat32(dataStart + 4 * i, true);
  const nonFinite = firstNonFiniteTensor(header.tensors, data);
  if (nonFinite !== undefined) throw fail(`damaged: tensor ${nonFinite} holds NaN or Infinity, which training never saves; ${DAMAGED}`);
  return { header, data };
}

export function writeCheckpoint(path: string, step: number, groups: ArrayGroups, meta: Record<string, unknown>, options: AtomicWriteOptions = {}): void {
  writeFileAtomicSync(path, encodeCheckpoint(step, groups, meta), options);
}

export function readCheckpoint(path: string): Checkpoint {
  if (!fs.existsSync(path)) throw new CheckpointError(`${path}: checkpoint file is missing`);
  return decodeCheckpoint(new Uint8Array(fs.readFileSync(path)), path);
}

/**
 * Copies a checkpoint's tensors into existing arrays, checking that every
 * requested tensor is present with the same shape before anything is written.
 */
export function restoreGroups(ckpt: Checkpoint, groups: ArrayGroups, file: string): void {
  const byName = new Map(ckpt.header.tensors.map((t) => [t.name, t]));
  const writes: (() => void)[] = [];
  for (const [group, list] of Object.entries(groups)) {
    for (const array of list) {
      const key = `${group}/${array.name}`;
      const entry = byName.get(key);
      if (!entry) {
        throw new CheckpointError(`${file}: does not match the requested network: tensor ${key} is missing`);
      }
      if (entry.shape.join(',') !== array.shape.join(',')) {
        throw new CheckpointError(
          `${file}: does not match the requested network: ${key} has shape [${entry.shape}] in the file, [${array.shape}] requested`,
        );
      }
      const size = array.shape.reduce((a, b) => a * b, 1);
      writes.push(() => array.write(ckpt.data.slice(entry.offset, entry.offset + size)));
    }
  }
  for (const write of writes) write();
}
