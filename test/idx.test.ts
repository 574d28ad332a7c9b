import * as fs from 'node:fs';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { encodeIdx, parseIdx, readIdxFile } from '../datasets/idx.js';
import { UsageError } from '../src/errors.js';
import { tempDir } from './helpers.js';

const dir = tempDir('idx');
const write = (name: string, bytes: Uint8Array) => {
  const file = path.join(dir, name);
  fs.writeFileSync(file, bytes);
  return file;
};

/** A 2-image 3 x 2 file with distinct pixel values. */
const images = () => encodeIdx([2, 3, 2], Uint8Array.from({ length: 12 }, (_, i) => i * 20));

function errorOf(fn: () => unknown): UsageError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return err as UsageError;
  }
  throw new Error('expected a UsageError');
}

describe('IDX reader', () => {
  it('reads images and labels written in the format, big-endian sizes', () => {
    const file = write('good-images', images());
    const bytes = fs.readFileSync(file);
    expect([...bytes.subarray(0, 4)]).toEqual([0, 0, 8, 3]);
    expect([...bytes.subarray(4, 8)]).toEqual([0, 0, 0, 2]);
    const parsed = readIdxFile(file, 3);
    expect(parsed.dims).toEqual([2, 3, 2]);
    expect([...parsed.data]).toEqual(Array.from({ length: 12 }, (_, i) => i * 20));

    const labels = readIdxFile(write('good-labels', encodeIdx([3], Uint8Array.of(7, 0, 9))), 1);
    expect(labels.dims).toEqual([3]);
    expect([...labels.data]).toEqual([7, 0, 9]);
  });

  it('reads a gzipped file', () => {
    const parsed = readIdxFile(write('good-images.gz', gzipSync(images())), 3);
    expect(parsed.dims).toEqual([2, 3, 2]);
    expect(parsed.data[11]).toBe(220);
  });

  it('sizes above 2^24 are read as unsigned big-endian', () => {
    const header = new Uint8Array(8);
    header.set([0, 0, 8, 1, 0x01, 0x00, 0x00, 0x02]);
    // 2^24 + 2 labels announced, none present: the message quotes the decoded size.
    expect(errorOf(() => parseIdx(header, 'big', 1)).message).toContain('16777218');
  });

  it('rejects a truncated file, naming the file and the sizes', () => {
    const file = write('truncated', images().subarray(0, 20));
    expect(errorOf(() => readIdxFile(file, 3)).message).toBe(
      `${file}: truncated IDX file: sizes 2 x 3 x 2 need 28 bytes, the file has 20`,
    );
    const headerCut = write('header-cut', images().subarray(0, 10));
    expect(errorOf(() => readIdxFile(headerCut, 3)).message).toBe(
      `${headerCut}: truncated IDX file: 10 bytes, shorter than its 16-byte header`,
    );
    const tiny = write('tiny', Uint8Array.of(0, 0));
    expect(errorOf(() => readIdxFile(tiny, 1)).message).toContain(`${tiny}: not an IDX file: 2 bytes`);
  });

  it('rejects trailing bytes', () => {
    const bytes = new Uint8Array(images().length + 3);
    bytes.set(images());
    const file = write('long', bytes);
    expect(errorOf(() => readIdxFile(file, 3)).message).toBe(
      `${file}: IDX file longer than its sizes say: 2 x 3 x 2 need 28 bytes, the file has 31`,
    );
  });

  it('rejects a wrong magic number', () => {
    const bytes = images();
    bytes[0] = 0x89;
    bytes[1] = 0x50;
    const file = write('png-like', bytes);
    expect(errorOf(() => readIdxFile(file, 3)).message).toBe(
      `${file}: not an IDX file: magic number 0x89500803, expected 0x00000803 (unsigned-byte images)`,
    );
  });

  it('rejects an unsupported element type', () => {
    const bytes = images();
    bytes[2] = 0x0d;
    const file = write('floats', bytes);
    expect(errorOf(() => readIdxFile(file, 3)).message).toBe(
      `${file}: IDX element type 0x0d (float32) is not supported; expected 0x08 (unsigned byte)`,
    );
  });

  it('rejects the wrong number of dimensions (labels given for images and back)', () => {
    const labels = write('labels-as-images', encodeIdx([3], Uint8Array.of(1, 2, 3)));
    expect(errorOf(() => readIdxFile(labels, 3)).message).toBe(
      `${labels}: IDX file with 1 dimension (magic 0x00000801); expected 3 for images (magic 0x00000803)`,
    );
    const imgs = write('images-as-labels', images());
    expect(errorOf(() => readIdxFile(imgs, 1)).message).toBe(
      `${imgs}: IDX file with 3 dimensions (magic 0x00000803); expected 1 for labels (magic 0x00000801)`,
    );
  });

  it('rejects a missing file and a broken gzip file', () => {
    const missing = path.join(dir, 'nope');
    expect(errorOf(() => readIdxFile(missing, 1)).message).toBe(`${missing}: file not found`);
    const gz = write('broken.gz', Uint8Array.of(1, 2, 3, 4));
    expect(errorOf(() => readIdxFile(gz, 1)).message).toMatch(new RegExp(`^${gz}: not a valid gzip file`));
  });

  it('every message is one line', () => {
    const bytes = images();
    bytes[3] = 2;
    const file = write('rank2', bytes);
    expect(errorOf(() => readIdxFile(file, 3)).message).not.toContain('\n');
  });
});
