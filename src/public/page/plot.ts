import type { Target } from '../../../datasets/target.js';

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

/** The target density on a grid, drawn as a blue shade (sqrt scale so that faint modes show). */
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
    const t = Math.sqrt(Math.exp(logp[i]! - max));
    image.data.set([Math.round(255 - 180 * t), Math.round(255 - 120 * t), 255, 255], 4 * i);
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
export function drawPoints(canvas: HTMLCanvasElement, points: Float64Array, d: number, view: View, color: string): void {
  const ctx = canvas.getContext('2d')!;
  ctx.fillStyle = color;
  const scale = canvas.width / view.size;
  for (let i = 0; i < points.length; i += d) {
    const px = (points[i]! - view.x0) * scale;
    const py = canvas.height - (points[i + 1]! - view.y0) * scale;
    ctx.fillRect(px - 1.25, py - 1.25, 2.5, 2.5);
  }
}
