import type { Target } from '../../../datasets/target.js';
import { densityColour } from '../../plot/palette.js';

/** A square window of the plane, in data coordinates. */
export interface View {
  x0: number;
  y0: number;
  size: number;
}

/** A square around the points (first two coordinates), with a margin. */
export function viewAround(points: Float64Array, d: number): View {
  let [minX, maxX, minY, maxY] = [Infinity, -Infinity, Infinity, -Infinity];
  for (let i = 0; i < points.length; i += d) {
    minX = Math.min(minX, points[i]!);
    maxX = Math.max(maxX, points[i]!);
    minY = Math.min(minY, points[i + 1]!);
    maxY = Math.max(maxY, points[i + 1]!);
  }
  const size = 1.15 * Math.max(maxX - minX, maxY - minY, 1e-6);
  return { x0: (minX + maxX - size) / 2, y0: (minY + maxY - size) / 2, size };
}

/** The target density on a grid, density / max on the CLI plot's blues. */
export function drawDensity(canvas: HTMLCanvasElement, target: Target, view: View, cells = 160): void {
  const ctx = canvas.getContext('2d')!;
  const grid = new Float64Array(cells * cells * 2);
  for (let r = 0; r < cells; r++) {
    for (let c = 0; c < cells; c++) {
      grid[2 * (r * cells + c)] = view.x0 + ((c + 0.5) / cells) * view.size;
      grid[2 * (r * cells + c) + 1] = view.y0 + view.size - ((r + 0.5) / cells) * view.size;
    }
  }
  const logp = target.logDensity(grid);
  const max = logp.reduce((m, v) => Math.max(m, v), -Infinity);
  const image = ctx.createImageData(cells, cells);
  for (let i = 0; i < cells * cells; i++) {
    image.data.set([...densityColour(Math.exp(logp[i]! - max)), 255], 4 * i);
  }
  const scratch = document.createElement('canvas');
  scratch.width = scratch.height = cells;
  scratch.getContext('2d')!.putImageData(image, 0, 0);
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(scratch, 0, 0, canvas.width, canvas.height);
}

export function clearPlot(canvas: HTMLCanvasElement): void {
  const ctx = canvas.getContext('2d')!;
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
}

/** Points (first two coordinates) as small dots. */
export function drawPoints(canvas: HTMLCanvasElement, points: ArrayLike<number>, d: number, view: View, color: string, alpha = 1): void {
  const ctx = canvas.getContext('2d')!;
  ctx.fillStyle = color;
  ctx.globalAlpha = alpha;
  const scale = canvas.width / view.size;
  for (let i = 0; i < points.length; i += d) {
    const px = (points[i]! - view.x0) * scale;
    const py = canvas.height - (points[i + 1]! - view.y0) * scale;
    ctx.fillRect(px - 1.25, py - 1.25, 2.5, 2.5);
  }
  ctx.globalAlpha = 1;
}

/** An image bundle's shape: height x width pixels, one channel, values in [lo, hi]. */
export interface ImageShape {
  height: number;
  width: number;
  lo: number;
  hi: number;
}

/** The grid's size for n images: 8 x 8 from 64 on, else 4 x 4 (fewer images leave cells empty). */
export function gridColumns(n: number): number {
  return n >= 64 ? 8 : 4;
}

/**
 * The first columns^2 images of `images` (row-major, height x width each) as a
 * greyscale grid filling the canvas, lo black and hi white as the CLI's
 * samples.png, with a grey line between the cells. Rows past `count` stay grey.
 */
export function drawImageGrid(canvas: HTMLCanvasElement, images: ArrayLike<number>, count: number, shape: ImageShape, columns: number): void {
  const { height, width, lo, hi } = shape;
  const sep = 2;
  const gridW = columns * width + (columns + 1) * sep;
  const gridH = columns * height + (columns + 1) * sep;
  const image = new ImageData(gridW, gridH);
  image.data.fill(128);
  for (let i = 0; i < image.data.length; i += 4) image.data[i + 3] = 255;
  const shown = Math.min(count, columns * columns);
  for (let k = 0; k < shown; k++) {
    const x0 = sep + (k % columns) * (width + sep);
    const y0 = sep + Math.floor(k / columns) * (height + sep);
    for (let r = 0; r < height; r++) {
      for (let c = 0; c < width; c++) {
        const v = images[k * height * width + r * width + c]!;
        const grey = Number.isNaN(v) ? 0 : Math.round(255 * Math.min(1, Math.max(0, (v - lo) / (hi - lo))));
        const at = 4 * ((y0 + r) * gridW + x0 + c);
        image.data[at] = image.data[at + 1] = image.data[at + 2] = grey;
      }
    }
  }
  const scratch = document.createElement('canvas');
  scratch.width = gridW;
  scratch.height = gridH;
  scratch.getContext('2d')!.putImageData(image, 0, 0);
  const ctx = canvas.getContext('2d')!;
  ctx.imageSmoothingEnabled = false;
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  const scale = Math.min(canvas.width / gridW, canvas.height / gridH);
  ctx.drawImage(scratch, 0, 0, gridW * scale, gridH * scale);
}
