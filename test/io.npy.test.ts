import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeNpy, encodeNpy, npyHeader, readNpy, readNpySync, writeNpy, writeNpySync } from '../src/io/npy.js';

const dir = mkdtempSync(join(tmpdir(), 'npy-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const hasNumpy = spawnSync('python3', ['-c', 'import numpy'], { stdio: 'ignore' }).status === 0;

function headerText(bytes: Uint8Array): string {
  const len = bytes[8] | (bytes[9] << 8);
  return Buffer.from(bytes.subarray(10, 10 + len)).toString('latin1');
}

function ramp(n: number): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => (i - n / 2) * 0.37 + 1e-9 * i);
}

describe('encodeNpy', () => {
  it('writes the magic, version 1.0 and the exact header dict', () => {
    const bytes = encodeNpy(new Float32Array(4000), [2000, 2]);
    expect(Array.from(bytes.subarray(0, 8))).toEqual([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
    const header = headerText(bytes);
    expect(header.startsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (2000, 2), }")).toBe(true);
    expect(header.endsWith('\n')).toBe(true);
    expect(header.trimEnd()).toBe("{'descr': '<f4', 'fortran_order': False, 'shape': (2000, 2), }");
  });

  it('writes a 1-D shape as (n,) and float64 as <f8', () => {
    expect(headerText(encodeNpy(new Float64Array(7), [7])).trimEnd()).toBe(
      "{'descr': '<f8', 'fortran_order': False, 'shape': (7,), }",
    );
  });

  it('pads the header so the data starts on a 64-byte boundary', () => {
    for (const shape of [[1], [12345], [2000, 2], [3, 4, 5], [0, 2], [123456789, 1]]) {
      const header = npyHeader('float64', shape);
      expect((10 + header.length) % 64).toBe(0);
      expect(header).toMatch(/^\{.*\} *\n$/);
    }
    const bytes = encodeNpy(new Float64Array(6), [2, 3]);
    expect(bytes.length).toBe(128 + 6 * 8);
  });

  it('stores values little-endian', () => {
    const bytes = encodeNpy(Float32Array.of(1), [1]);
    // 1.0f = 0x3f800000
    expect(bytes.length).toBe(128 + 4);
    expect(Array.from(bytes.subarray(128))).toEqual([0x00, 0x00, 0x80, 0x3f]);
  });

  it('rejects a shape that does not match the data', () => {
    expect(() => encodeNpy(new Float32Array(5), [2, 3])).toThrow(/holds 6 elements but data has 5/);
    expect(() => encodeNpy(new Float32Array(2), [-1, -2])).toThrow(/invalid shape/);
  });
});

describe('decodeNpy', () => {
  const cases = [
    { name: 'float32 1-D', data: Float32Array.from(ramp(17)), shape: [17], dtype: 'float32' },
    { name: 'float32 2-D', data: Float32Array.from(ramp(2000 * 2)), shape: [2000, 2], dtype: 'float32' },
    { name: 'float64 1-D', data: ramp(5), shape: [5], dtype: 'float64' },
    { name: 'float64 2-D', data: ramp(3 * 7), shape: [3, 7], dtype: 'float64' },
    { name: 'float64 empty', data: new Float64Array(0), shape: [0, 2], dtype: 'float64' },
  ] as const;
  for (const c of cases) {
    it(`round-trips ${c.name}`, () => {
      const out = decodeNpy(encodeNpy(c.data, c.shape));
      expect(out.dtype).toBe(c.dtype);
      expect(out.shape).toEqual(c.shape);
      expect(out.data.constructor).toBe(c.data.constructor);
      expect(Array.from(out.data)).toEqual(Array.from(c.data));
    });
  }

  it('keeps NaN, infinities and -0 bit for bit', () => {
    const data = Float64Array.of(NaN, Infinity, -Infinity, -0, Number.MIN_VALUE);
    expect(Object.is(decodeNpy(encodeNpy(data, [5])).data[3], -0)).toBe(true);
    expect(Array.from(decodeNpy(encodeNpy(data, [5])).data)).toEqual(Array.from(data));
  });

  it('decodes from an unaligned view into a larger buffer', () => {
    const bytes = encodeNpy(Float64Array.of(1.5, -2.5), [2]);
    const padded = new Uint8Array(bytes.length + 3);
    padded.set(bytes, 3);
    expect(Array.from(decodeNpy(padded.subarray(3)).data)).toEqual([1.5, -2.5]);
  });

  it('decodes a hand-built file', () => {
    const dict = "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }";
    const header = dict + ' '.repeat(128 - 10 - dict.length - 1) + '\n';
    const bytes = Buffer.concat([
      Buffer.from([0x93, ...Buffer.from('NUMPY'), 1, 0, header.length, 0]),
      Buffer.from(header, 'latin1'),
      Buffer.from(Float64Array.of(3.25, -1).buffer),
    ]);
    expect(decodeNpy(bytes)).toEqual({ dtype: 'float64', shape: [2], data: Float64Array.of(3.25, -1) });
  });

  it('rejects a wrong magic', () => {
    const bytes = encodeNpy(new Float32Array(2), [2]);
    bytes[1] = 0x4f;
    expect(() => decodeNpy(bytes)).toThrow(/not a \.npy file/);
    expect(() => decodeNpy(new Uint8Array(3))).toThrow(/not a \.npy file/);
  });

  it('rejects a truncated data section', () => {
    const bytes = encodeNpy(new Float32Array(10), [5, 2]);
    expect(() => decodeNpy(bytes.subarray(0, bytes.length - 1))).toThrow(/truncated data.*needs 40 bytes, file has 39/);
  });

  it('rejects a truncated header', () => {
    expect(() => decodeNpy(encodeNpy(new Float32Array(1), [1]).subarray(0, 30))).toThrow(/truncated header/);
  });

  it('rejects unsupported dtypes and fortran order', () => {
    const withHeader = (dict: string): Uint8Array => {
      const header = dict.padEnd(117, ' ') + '\n';
      return Buffer.concat([Buffer.from([0x93, ...Buffer.from('NUMPY'), 1, 0, header.length, 0]), Buffer.from(header), Buffer.alloc(64)]);
    };
    expect(() => decodeNpy(withHeader("{'descr': '<i4', 'fortran_order': False, 'shape': (2,), }"))).toThrow(
      /unsupported dtype '<i4'/,
    );
    expect(() => decodeNpy(withHeader("{'descr': '>f8', 'fortran_order': False, 'shape': (2,), }"))).toThrow(
      /unsupported dtype '>f8'/,
    );
    expect(() => decodeNpy(withHeader("{'descr': '<f8', 'fortran_order': True, 'shape': (2, 2), }"))).toThrow(
      /fortran_order True is not supported/,
    );
    expect(() => decodeNpy(withHeader("{'descr': '<f8'}"))).toThrow(/malformed header/);
  });
});

describe('writeNpy / readNpy', () => {
  it('round-trips through a file (async and sync)', async () => {
    const path = join(dir, 'a.npy');
    await writeNpy(path, Float32Array.of(1, 2, 3, 4, 5, 6), [3, 2]);
    const back = await readNpy(path);
    expect(back).toEqual({ dtype: 'float32', shape: [3, 2], data: Float32Array.of(1, 2, 3, 4, 5, 6) });
    writeNpySync(path, Float64Array.of(0.1), [1]);
    expect(readNpySync(path)).toEqual({ dtype: 'float64', shape: [1], data: Float64Array.of(0.1) });
  });

  it('names the file in decode errors', async () => {
    const path = join(dir, 'bad.npy');
    writeFileSync(path, 'not numpy');
    await expect(readNpy(path)).rejects.toThrow(`${path}: npy: not a .npy file`);
  });

  it.skipIf(!hasNumpy)('numpy.load reads what writeNpy writes, and writeNpy reads what numpy.save writes (needs python3 + numpy)', async () => {
    const mine = join(dir, 'mine.npy');
    const theirs = join(dir, 'theirs.npy');
    const data = Float32Array.from(ramp(2000 * 2));
    await writeNpy(mine, data, [2000, 2]);
    const script = [
      'import sys, numpy as np',
      'a = np.load(sys.argv[1])',
      'assert a.dtype == np.float32 and a.shape == (2000, 2) and a.flags.c_contiguous, (a.dtype, a.shape)',
      'ref = ((np.arange(4000) - 2000) * 0.37 + 1e-9 * np.arange(4000)).astype(np.float32).reshape(2000, 2)',
      'assert np.array_equal(a, ref)',
      'np.save(sys.argv[2], np.arange(6, dtype=np.float64).reshape(2, 3) / 7)',
      'print("ok")',
    ].join('\n');
    expect(execFileSync('python3', ['-c', script, mine, theirs], { encoding: 'utf8' }).trim()).toBe('ok');
    // numpy's own header (as it writes 1-D and 2-D shapes) is byte-identical to ours.
    const saved = readFileSync(theirs);
    expect(headerText(saved)).toBe(npyHeader('float64', [2, 3]));
    const back = await readNpy(theirs);
    expect(back.shape).toEqual([2, 3]);
    expect(Array.from(back.data)).toEqual([0, 1, 2, 3, 4, 5].map((v) => v / 7));
  });
});
