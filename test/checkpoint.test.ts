import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { CheckpointError, decodeCheckpoint, encodeCheckpoint, readCheckpoint, restoreGroups, variableArrays } from '../src/checkpoint.js';
import { tempDir, useWasm } from './helpers.js';

beforeAll(useWasm);

function variables(seed: number) {
  return variableArrays([
    { name: 'w', variable: tf.variable(tf.randomNormal([3, 4], 0, 1, 'float32', seed)) },
    { name: 'b', variable: tf.variable(tf.randomNormal([4], 0, 1, 'float32', seed + 1)) },
  ]);
}

describe('checkpoint file', () => {
  it('round-trips every tensor bit for bit, with step and meta', () => {
    const params = variables(1);
    const bytes = encodeCheckpoint(123, { params }, { note: 'x' });
    const ckpt = decodeCheckpoint(bytes, 'mem');
    expect(ckpt.header.step).toBe(123);
    expect(ckpt.header.meta).toEqual({ note: 'x' });
    const restored = variables(99);
    restoreGroups(ckpt, { params: restored }, 'mem');
    restored.forEach((r, i) => expect(Array.from(r.read())).toEqual(Array.from(params[i]!.read())));
  });

  it('rejects bad magic, truncation and a newer version with a one-line reason', () => {
    const bytes = encodeCheckpoint(1, { params: variables(2) }, {});
    expect(() => decodeCheckpoint(bytes.subarray(0, bytes.length - 4), 'f.bin')).toThrow(/f\.bin: truncated or corrupt checkpoint: expected \d+ bytes, found \d+/);
    const wrongMagic = bytes.slice();
    wrongMagic[0] = 0;
    expect(() => decodeCheckpoint(wrongMagic, 'f.bin')).toThrow(/not a score-sde checkpoint/);
    const newer = bytes.slice();
    new DataView(newer.buffer).setUint32(8, 99, true);
    expect(() => decodeCheckpoint(newer, 'f.bin')).toThrow(/format version 99 is not supported/);
  });

  it('refuses a checkpoint that does not match the requested network', () => {
    const ckpt = decodeCheckpoint(encodeCheckpoint(1, { params: variables(3) }, {}), 'f.bin');
    const other = variableArrays([{ name: 'w', variable: tf.variable(tf.zeros([3, 5])) }]);
    expect(() => restoreGroups(ckpt, { params: other }, 'f.bin')).toThrow(CheckpointError);
    expect(() => restoreGroups(ckpt, { params: other }, 'f.bin')).toThrow(/params\/w has shape \[3,4\] in the file, \[3,5\] requested/);
    const missing = variableArrays([{ name: 'extra', variable: tf.variable(tf.zeros([1])) }]);
    expect(() => restoreGroups(ckpt, { params: missing }, 'f.bin')).toThrow(/tensor params\/extra is missing/);
  });

  it('reports a missing file', () => {
    const dir = tempDir('ckpt');
    expect(() => readCheckpoint(path.join(dir, 'none.bin'))).toThrow(/checkpoint file is missing/);
    fs.rmSync(dir, { recursive: true });
  });
});
