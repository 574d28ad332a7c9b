import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { writeFileAtomic, writeFileAtomicSync } from './atomic.js';

/**
 * NumPy .npy files (format version 1.0) for little-endian float32/float64
 * C-order arrays, so samples can be inspected with `numpy.load`.
 * Spec: https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html
 */

export type NpyDtype = 'float32' | 'float64';

/** A decoded array; `dtype` tells which typed array `data` is. */
export type NpyArray =
  | { dtype: 'float32'; data: Float32Array; shape: number[] }
  | { dtype: 'float64'; data: Float64Array; shape: number[] };

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
const PREAMBLE_V1 = 10; // magic (6) + version (2) + uint16 header length (2)
const ALIGN = 64;
const DESCR: Record<NpyDtype, string> = { float32: '<f4', float64: '<f8' };
const ITEM_SIZE: Record<NpyDtype, number> = { float32: 4, float64: 8 };

function checkShape(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) {
    if (!Number.isSafeInteger(d) || d < 0) {
      throw new Error(`npy: invalid shape [${shape.join(', ')}]: dimensions must be non-negative integers`);
    }
    n *= d;
  }
  return n;
}

/** Python tuple repr, which the spec requires: (n,) for one dimension, () for a scalar. */
function shapeRepr(shape: readonly number[]): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
}

/** The header text, padded with spaces and ended by \n so the data starts on a 64-byte boundary. */
export function npyHeader(dtype: NpyDtype, shape: readonly number[]): string {
  const dict = `{'descr': '${DESCR[dtype]}', 'fortran_order': False, 'shape': ${shapeRepr(shape)}, }`;
  const unpadded = PREAMBLE_V1 + dict.length + 1;
  const pad = (ALIGN - (unpadded % ALIGN)) % ALIGN;
  return dict + ' '.repeat(pad) + '\n';
}

export function encodeNpy(data: Float32Array | Float64Array, shape: readonly number[]): Uint8Array {
  const n = checkShape(shape);
  if (n !== data.length) {
    throw new Error(`npy: shape [${shape.join(', ')}] holds ${n} elements but data has ${data.length}`);
  }
  const dtype: NpyDtype = data instanceof Float32Array ? 'float32' : 'float64';
  const header = npyHeader(dtype, shape);
  if (header.length > 0xffff) throw new Error('npy: header too long for format version 1.0');

  const itemSize = ITEM_SIZE[dtype];
  const out = new Uint8Array(PREAMBLE_V1 + header.length + n * itemSize);
  const view = new DataView(out.buffer);
  out.set(MAGIC, 0);
  out[6] = 1; // major version
  out[7] = 0; // minor version
  view.setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[PREAMBLE_V1 + i] = header.charCodeAt(i); // header is ASCII

  // DataView keeps the bytes little-endian whatever the host's byte order.
  let off = PREAMBLE_V1 + header.length;
  if (dtype === 'float32') {
    for (let i = 0; i < n; i++, off += 4) view.setFloat32(off, data[i], true);
  } else {
    for (let i = 0; i < n; i++, off += 8) view.setFloat64(off, data[i], true);
  }
  return out;
}

interface ParsedHeader {
  dtype: NpyDtype;
  shape: number[];
}

function parseHeader(text: string): ParsedHeader {
  const descr = /['"]descr['"]\s*:\s*['"]([^'"]*)['"]/.exec(text)?.[1];
  const fortran = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(text)?.[1];
  const shapeText = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(text)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    throw new Error(`npy: malformed header ${JSON.stringify(text.trim())}`);
  }
  const dtype = descr === '<f4' ? 'float32' : descr === '<f8' ? 'float64' : undefined;
  if (dtype === undefined) {
    throw new Error(`npy: unsupported dtype '${descr}' (only little-endian float32 '<f4' and float64 '<f8')`);
  }
  if (fortran === 'True') {
    throw new Error('npy: fortran_order True is not supported (only C-order arrays)');
  }
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) => {
      if (!/^\d+L?$/.test(s)) throw new Error(`npy: invalid shape (${shapeText})`);
      return Number.parseInt(s, 10);
    });
  return { dtype, shape };
}

function hasMagic(bytes: Uint8Array): boolean {
  return bytes.length >= MAGIC.length && MAGIC.every((b, i) => bytes[i] === b);
}

export function decodeNpy(bytes: Uint8Array): NpyArray {
  if (!hasMagic(bytes)) throw new Error('npy: not a .npy file (missing \\x93NUMPY magic)');
  if (bytes.length < PREAMBLE_V1) throw new Error('npy: truncated preamble');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const major = bytes[6];
  // Versions 2.0 and 3.0 differ from 1.0 only in a uint32 header length (and
  // UTF-8 header text); reading them costs nothing and numpy may write them.
  let headerStart: number;
  let headerLen: number;
  if (major === 1) {
    headerStart = PREAMBLE_V1;
    headerLen = view.getUint16(8, true);
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw new Error('npy: truncated preamble');
    headerStart = 12;
    headerLen = view.getUint32(8, true);
  } else {
    throw new Error(`npy: unsupported format version ${major}.${bytes[7]}`);
  }
  const dataStart = headerStart + headerLen;
  if (bytes.length < dataStart) throw new Error('npy: truncated header');
  const headerText = new TextDecoder().decode(bytes.subarray(headerStart, dataStart));
  const { dtype, shape } = parseHeader(headerText);

  const n = checkShape(shape);
  const itemSize = ITEM_SIZE[dtype];
  const expected = n * itemSize;
  const actual = bytes.length - dataStart;
  if (actual < expected) {
    throw new Error(`npy: truncated data: shape (${shape.join(', ')}) needs ${expected} bytes, file has ${actual}`);
  }
  if (actual > expected) {
    throw new Error(`npy: ${actual - expected} unexpected trailing bytes after the data`);
  }

  if (dtype === 'float32') {
    const data = new Float32Array(n);
    for (let i = 0, off = dataStart; i < n; i++, off += 4) data[i] = view.getFloat32(off, true);
    return { dtype, data, shape };
  }
  const data = new Float64Array(n);
  for (let i = 0, off = dataStart; i < n; i++, off += 8) data[i] = view.getFloat64(off, true);
  return { dtype, data, shape };
}

/** Writes an .npy file atomically: a reader never sees a half-written array. */
export async function writeNpy(
  path: string,
  data: Float32Array | Float64Array,
  shape: readonly number[],
): Promise<void> {
  await writeFileAtomic(path, encodeNpy(data, shape));
}

export function writeNpySync(path: string, data: Float32Array | Float64Array, shape: readonly number[]): void {
  writeFileAtomicSync(path, encodeNpy(data, shape));
}

/** Reads an .npy file; errors name the file. */
export async function readNpy(path: string): Promise<NpyArray> {
  return decodeNamed(path, await readFile(path));
}

export function readNpySync(path: string): NpyArray {
  return decodeNamed(path, readFileSync(path));
}

function decodeNamed(path: string, bytes: Uint8Array): NpyArray {
  try {
    return decodeNpy(bytes);
  } catch (err) {
    throw new Error(`${path}: ${(err as Error).message}`, { cause: err });
  }
}
