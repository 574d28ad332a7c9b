import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderScatterPng, renderScatterSvg } from '../src/plot/index.js';
import type { ScatterOptions } from '../src/plot/index.js';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** Deterministic 2-D points on a few rings: enough structure to see, no rng needed. */
function ringPoints(n: number, dim = 2, phase = 0): Float64Array {
  const out = new Float64Array(n * dim);
  for (let i = 0; i < n; i++) {
    const r = 1 + (i % 3) * 0.7;
    const a = (i * 2.399963 + phase) % (2 * Math.PI);
    out[i * dim] = r * Math.cos(a);
    out[i * dim + 1] = r * Math.sin(a);
    for (let k = 2; k < dim; k++) out[i * dim + k] = k;
  }
  return out;
}

function gaussianGrid(size: number): NonNullable<ScatterOptions['density']> {
  const xs = Array.from({ length: size }, (_, i) => -3.5 + (7 * (i + 0.5)) / size);
  const ys = xs.slice();
  const logDensity = new Float64Array(size * size);
  for (let j = 0; j < size; j++) for (let i = 0; i < size; i++) logDensity[j * size + i] = -(xs[i] ** 2 + ys[j] ** 2) / 2;
  return { xs, ys, logDensity };
}

function base(over: Partial<ScatterOptions> = {}): ScatterOptions {
  return {
    points: ringPoints(200),
    dim: 2,
    xIndex: 0,
    yIndex: 1,
    xLabel: 'x0',
    yLabel: 'x1',
    title: 'Samples at step 42',
    ...over,
  };
}

/** IHDR is always the first chunk: length (4), "IHDR", then big-endian width and height. */
function pngSize(png: Uint8Array): { width: number; height: number } {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  expect(Buffer.from(png.subarray(12, 16)).toString('ascii')).toBe('IHDR');
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

afterEach(() => vi.restoreAllMocks());

describe('renderScatterSvg', () => {
  it('contains the title, axis labels, and one symbol per point', async () => {
    const svg = await renderScatterSvg(base({ points: ringPoints(123) }));
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('Samples at step 42');
    expect(svg).toContain('>x0<');
    expect(svg).toContain('>x1<');
    expect(svg.match(/role-mark/g)?.length).toBe(1); // only the sample layer
    const symbols = svg.split('<g class="mark-symbol role-mark')[1].split('</g>')[0];
    expect(symbols.match(/<path /g)?.length).toBe(123);
  });

  it('draws density cells first, then reference, then samples', async () => {
    const svg = await renderScatterSvg(base({ reference: ringPoints(50, 2, 1), density: gaussianGrid(20) }));
    const heat = svg.indexOf('mark-rect role-mark');
    const ref = svg.indexOf('layer_1_layer_0_marks');
    const samples = svg.indexOf('layer_1_layer_1_marks');
    expect(heat).toBeGreaterThan(0);
    expect(ref).toBeGreaterThan(heat);
    expect(samples).toBeGreaterThan(ref);
    expect(svg).toContain('density / max');
    expect(svg).toContain('>reference<');
  });

  it('picks the requested coordinates from higher-dimensional points', async () => {
    // Coordinate 3 is constant 3: with it on the x axis every point sits at x = 3.
    const svg = await renderScatterSvg(
      base({ points: ringPoints(10, 4), dim: 4, xIndex: 3, yIndex: 1, domain: { x: [0, 4], y: [-3, 3] } }),
    );
    const symbols = svg.split('<g class="mark-symbol role-mark')[1].split('</g>')[0];
    const xs = [...symbols.matchAll(/transform="translate\(([-\d.]+),/g)].map((m) => Number(m[1]));
    expect(xs.length).toBe(10);
    for (const x of xs) expect(x).toBeCloseTo(360, 5); // 3/4 of the 480-px plotting width
  });

  it('rejects inconsistent options', async () => {
    await expect(renderScatterSvg(base({ xIndex: 2 }))).rejects.toThrow(/xIndex 2 is outside 0\.\.1/);
    await expect(renderScatterSvg(base({ points: new Float64Array(5) }))).rejects.toThrow(/not a multiple of dim/);
    await expect(
      renderScatterSvg(base({ density: { xs: [0, 1], ys: [0], logDensity: new Float64Array(3) } })),
    ).rejects.toThrow(/logDensity has 3 values/);
  });
});

describe('renderScatterPng', () => {
  it('returns a PNG with the plot size in its IHDR', async () => {
    const png = await renderScatterPng(base({ width: 300, height: 200 }));
    expect(png).toBeInstanceOf(Uint8Array);
    expect(Array.from(png.subarray(0, 8))).toEqual(PNG_SIGNATURE);
    const { width, height } = pngSize(png);
    // The image adds axes and the title around the 300 x 200 plotting area.
    expect(width).toBeGreaterThan(300);
    expect(width).toBeLessThan(450);
    expect(height).toBeGreaterThan(200);
    expect(height).toBeLessThan(300);
  });

  it('survives points and density cells outside the axes (resvg-js 2.6.2 aborts the process on off-image layers)', async () => {
    const points = Float64Array.of(100, 100, -50, 0.5, 0.5, 0.5, NaN, 1);
    const png = await renderScatterPng(
      base({ points, reference: Float64Array.of(1e6, -1e6), density: gaussianGrid(30), domain: { x: [0, 1], y: [0, 1] } }),
    );
    expect(Array.from(png.subarray(0, 8))).toEqual(PNG_SIGNATURE);
    const empty = await renderScatterPng(base({ points: new Float64Array(0) }));
    expect(Array.from(empty.subarray(0, 8))).toEqual(PNG_SIGNATURE);
  });

  it('renders 2000 points over a 100x100 density quickly, and writes nothing to stdout', async () => {
    const stdout = vi.spyOn(process.stdout, 'write');
    const log = vi.spyOn(console, 'log');
    const info = vi.spyOn(console, 'info');
    const opts = base({ points: ringPoints(2000), reference: ringPoints(2000, 2, 0.5), density: gaussianGrid(100) });
    await renderScatterPng(opts); // warm-up: module and font loading
    const t0 = performance.now();
    const png = await renderScatterPng(opts);
    const ms = performance.now() - t0;
    expect(Array.from(png.subarray(0, 8))).toEqual(PNG_SIGNATURE);
    expect(pngSize(png).width).toBeGreaterThan(480);
    expect(ms).toBeLessThan(2000);
    expect(stdout).not.toHaveBeenCalled();
    expect(log).not.toHaveBeenCalled();
    expect(info).not.toHaveBeenCalled();
  });
});
