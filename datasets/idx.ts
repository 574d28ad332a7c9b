import { existsSync, readFileSync, statSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { UsageError } from '../src/errors.js';

/**
 * The IDX format of MNIST (and Fashion-MNIST, KMNIST, EMNIST):
 *   bytes 0-1  zero
 *   byte  2    element type (0x08: unsigned byte, the only one MNIST uses)
 *   byte  3    number of dimensions k
 *   then k big-endian uint32 sizes, then the elements, row-major, last index fastest.
 * So labels start with the magic number 0x00000801 and images with 0x00000803.
 * A file whose name ends in `.gz` is gunzipped first.
 */

/** Element type byte of unsigned bytes. */
export const IDX_UNSIGNED_BYTE = 0x08;

const TYPE_NAMES: Record<number, string> = {
  0x08: 'unsigned byte',
  0x09: 'signed byte',
  0x0b: 'int16',
  0x0c: 'int32',
  0x0d: 'float32',
  0x0e: 'float64',
};

/** An IDX array of unsigned bytes: `data` holds prod(dims) elements, row-major. */
export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

const hex8 = (n: number) => '0x' + (n >>> 0).toString(16).padStart(8, '0');
const hex2 = (n: number) => '0x' + n.toString(16).padStart(2, '0');

/**
 * Parses the bytes of an IDX file of unsigned bytes with `expectedDims`
 * dimensions (1 for labels, 3 for images). Every problem is a one-line
 * UsageError naming `file` and what is wrong.
 */
export function parseIdx(bytes: Uint8Array, file: string, expectedDims: number): IdxArray {
  const fail = (why: string) => new UsageError(`${file}: ${why}`);
  const expectedMagic = (IDX_UNSIGNED_BYTE << 8) | expectedDims;
  const kind = expectedDims === 1 ? 'labels' : expectedDims === 3 ? 'images' : `${expectedDims}-d array`;
  if (bytes.length < 4) {
    throw fail(`not an IDX file: ${bytes.length} bytes, shorter than the 4-byte magic number`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, false);
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw fail(`not an IDX file: magic number ${hex8(magic)}, expected ${hex8(expectedMagic)} (unsigned-byte ${kind})`);
  }
  const type = bytes[2]!;
  if (type !== IDX_UNSIGNED_BYTE) {
    const name = TYPE_NAMES[type] ?? 'unknown';
    throw fail(`IDX element type ${hex2(type)} (${name}) is not supported; expected ${hex2(IDX_UNSIGNED_BYTE)} (unsigned byte)`);
  }
  const rank = bytes[3]!;
  if (rank !== expectedDims) {
    throw fail(`IDX file with ${rank} dimension${rank === 1 ? '' : 's'} (magic ${hex8(magic)}); expected ${expectedDims} for ${kind} (magic ${hex8(expectedMagic)})`);
  }
  const headerLength = 4 + 4 * rank;
  if (bytes.length < headerLength) {
    throw fail(`truncated IDX file: ${bytes.length} bytes, shorter than its ${headerLength}-byte header`);
  }
  const dims: number[] = [];
  for (let i = 0; i < rank; i++) dims.push(view.getUint32(4 + 4 * i, false));
  const count = dims.reduce((a, b) => a * b, 1);
  const expectedLength = headerLength + count;
  const shape = dims.join(' x ');
  if (bytes.length < expectedLength) {
    throw fail(`truncated IDX file: sizes ${shape} need ${expectedLength} bytes, the file has ${bytes.length}`);
  }
  if (bytes.length > expectedLength) {
    throw fail(`IDX file longer than its sizes say: ${shape} need ${expectedLength} bytes, the file has ${bytes.length}`);
  }
  return { dims, data: bytes.subarray(headerLength) };
}

/** Reads (and, for `.gz`, gunzips) an IDX file; see {@link parseIdx}. */
export function readIdxFile(file: string, expectedDims: number): IdxArray {
  if (!existsSync(file)) throw new UsageError(`${file}: file not found`);
  if (!statSync(file).isFile()) throw new UsageError(`${file}: not a file`);
  let bytes: Uint8Array = readFileSync(file);
  if (file.endsWith('.gz')) {
    try {
      bytes = gunzipSync(bytes);
    } catch (err) {
      throw new UsageError(`${file}: not a valid gzip file (${(err as Error).message.split('\n')[0]})`);
    }
  }
  return parseIdx(bytes, file, expectedDims);
}

/** Encodes unsigned bytes as an IDX file: the inverse of {@link parseIdx} (for tests and tools). */
export function encodeIdx(dims: number[], data: Uint8Array): Uint8Array {
  const count = dims.reduce((a, b) => a * b, 1);
  if (count !== data.length) throw new RangeError(`encodeIdx: sizes ${dims.join(' x ')} hold ${count} bytes, got ${data.length}`);
  const out = new Uint8Array(4 + 4 * dims.length + count);
  const view = new DataView(out.buffer);
  out[2] = IDX_UNSIGNED_BYTE;
  out[3] = dims.length;
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  out.set(data, 4 + 4 * dims.length);
  return out;
}
