import { PNG } from 'pngjs';
import { writeFileAtomic } from './atomic.js';

/**
 * Images (values in [-1, 1], e.g. MNIST samples) tiled into one grayscale
 * PNG: a grid of `columns` x `rows` cells with `separator` pixels of gray
 * between the cells and around the border. Values are clipped to [-1, 1] and
 * mapped to bytes by round((v + 1) * 127.5), so -1 is black and 1 white;
 * NaN shows as black.
 */
export interface ImageGridOptions {
  /** Image height and width in pixels (default 28 x 28). */
  height?: number;
  width?: number;
  /** Cells per row and rows (default 8 x 8); the first columns x rows images are shown. */
  columns?: number;
  rows?: number;
  /** Pixels between cells and around the border (default 2). */
  separator?: number;
  /** Gray level of the separator, 0-255 (default 128). */
  separatorLevel?: number;
}

export const IMAGE_GRID_DEFAULTS = { height: 28, width: 28, columns: 8, rows: 8, separator: 2, separatorLevel: 128 } as const;

export interface ImageGrid {
  /** PNG file bytes. */
  png: Uint8Array;
  widthPx: number;
  heightPx: number;
  columns: number;
  rows: number;
  /** Images drawn. */
  shown: number;
}

/** One value in [-1, 1] as a gray level. */
export function toGray(v: number): number {
  if (Number.isNaN(v)) return 0;
  return Math.round((Math.min(1, Math.max(-1, v)) + 1) * 127.5);
}

/**
 * Lays out the first columns x rows of `count` images (row-major, height x
 * width values each). With fewer images than cells, the grid has only the
 * rows needed (and only `count` columns when count < columns).
 */
export function encodeImageGrid(images: ArrayLike<number>, count: number, options: ImageGridOptions = {}): ImageGrid {
  const o = { ...IMAGE_GRID_DEFAULTS, ...options };
  const pixels = o.height * o.width;
  if (images.length < count * pixels) {
    throw new RangeError(`image grid: ${count} images of ${o.height} x ${o.width} need ${count * pixels} values, got ${images.length}`);
  }
  if (count < 1) throw new RangeError('image grid: no images to draw');
  const shown = Math.min(count, o.columns * o.rows);
  const columns = Math.min(o.columns, shown);
  const rows = Math.ceil(shown / columns);
  const widthPx = columns * o.width + (columns + 1) * o.separator;
  const heightPx = rows * o.height + (rows + 1) * o.separator;
  const gray = Buffer.alloc(widthPx * heightPx, o.separatorLevel);
  for (let k = 0; k < shown; k++) {
    const top = o.separator + Math.floor(k / columns) * (o.height + o.separator);
    const left = o.separator + (k % columns) * (o.width + o.separator);
    for (let r = 0; r < o.height; r++) {
      for (let c = 0; c < o.width; c++) gray[(top + r) * widthPx + left + c] = toGray(images[k * pixels + r * o.width + c]!);
    }
  }
  const png = new PNG({ width: widthPx, height: heightPx, colorType: 0, inputColorType: 0, inputHasAlpha: false });
  png.data = gray;
  const bytes = PNG.sync.write(png, { colorType: 0, inputColorType: 0, inputHasAlpha: false });
  return { png: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), widthPx, heightPx, columns, rows, shown };
}

/** Writes the grid of {@link encodeImageGrid} to `path` atomically. */
export async function writeImageGrid(path: string, images: ArrayLike<number>, count: number, options: ImageGridOptions = {}): Promise<ImageGrid> {
  const grid = encodeImageGrid(images, count, options);
  await writeFileAtomic(path, grid.png);
  return grid;
}
