import * as fs from 'node:fs';
import * as path from 'node:path';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { encodeImageGrid, toGray, writeImageGrid } from '../src/io/png-grid.js';
import { tempDir } from './helpers.js';

/** Gray level at (x, y) of a decoded PNG (pngjs decodes to RGBA). */
const grayAt = (png: PNG, x: number, y: number) => {
  const i = 4 * (y * png.width + x);
  expect(png.data[i]).toBe(png.data[i + 1]);
  expect(png.data[i]).toBe(png.data[i + 2]);
  expect(png.data[i + 3]).toBe(255);
  return png.data[i]!;
};

describe('PNG image grid', () => {
  it('maps [-1, 1] to 0..255, clipping outside and NaN to black', () => {
    expect([-1, 0, 1, -3, 7, Number.NaN, 0.5].map(toGray)).toEqual([0, 128, 255, 0, 255, 0, 191]);
  });

  it('writes an 8 x 8 grid of 28 x 28 images with 2 px separators, decoding back to the pixels', async () => {
    const n = 70; // more than the 64 cells: the first 64 are drawn
    const images = new Float32Array(n * 784);
    // Image k, pixel (r, c): a value that identifies all three.
    const value = (k: number, r: number, c: number) => ((k * 7 + r * 3 + c) % 200) / 100 - 1;
    for (let k = 0; k < n; k++) for (let r = 0; r < 28; r++) for (let c = 0; c < 28; c++) images[k * 784 + r * 28 + c] = value(k, r, c);
    const file = path.join(tempDir('grid'), 'samples.png');
    const grid = await writeImageGrid(file, images, n);
    expect(grid).toMatchObject({ columns: 8, rows: 8, shown: 64, widthPx: 8 * 28 + 9 * 2, heightPx: 8 * 28 + 9 * 2 });
    const png = PNG.sync.read(fs.readFileSync(file));
    expect([png.width, png.height]).toEqual([242, 242]);
    for (const k of [0, 9, 63]) {
      const [top, left] = [2 + Math.floor(k / 8) * 30, 2 + (k % 8) * 30];
      for (const [r, c] of [[0, 0], [27, 27], [5, 17]] as const) {
        expect(grayAt(png, left + c, top + r)).toBe(toGray(Math.fround(value(k, r, c))));
      }
    }
    // Separators: the border, and the gap between cells 0 and 1.
    expect(grayAt(png, 0, 0)).toBe(128);
    expect(grayAt(png, 1, 100)).toBe(128);
    expect(grayAt(png, 30, 10)).toBe(128);
    expect(grayAt(png, 31, 10)).toBe(128);
    expect(grayAt(png, 241, 241)).toBe(128);
    // Written atomically: no temporary file left beside it.
    expect(fs.readdirSync(path.dirname(file))).toEqual(['samples.png']);
  });

  it('shrinks to the images given and takes other sizes and separators', () => {
    const images = Float64Array.from({ length: 3 * 4 * 5 }, (_, i) => (i % 2 === 0 ? 1 : -1));
    const grid = encodeImageGrid(images, 3, { height: 4, width: 5, columns: 2, separator: 1, separatorLevel: 77 });
    expect(grid).toMatchObject({ columns: 2, rows: 2, shown: 3, widthPx: 2 * 5 + 3, heightPx: 2 * 4 + 3 });
    const png = PNG.sync.read(Buffer.from(grid.png));
    // Image 2 (second row, first column) pixel (0, 0) is value index 40: even, white.
    expect(grayAt(png, 1, 1 + 4 + 1)).toBe(255);
    expect(grayAt(png, 2, 6)).toBe(0);
    expect(grayAt(png, 0, 6)).toBe(77);
    // The empty fourth cell is separator-coloured.
    expect(grayAt(png, 1 + 5 + 1 + 2, 6 + 1)).toBe(77);
    const one = encodeImageGrid(images, 1, { height: 4, width: 5 });
    expect(one).toMatchObject({ columns: 1, rows: 1, widthPx: 9, heightPx: 8 });
  });

  it('rejects too few values', () => {
    expect(() => encodeImageGrid(new Float32Array(10), 1)).toThrow('1 images of 28 x 28 need 784 values, got 10');
  });
});
