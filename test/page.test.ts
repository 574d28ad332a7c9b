import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTarget } from '../datasets/index.js';
import { exportCli } from '../src/cli/export-cli.js';
import { trainCli } from '../src/cli/train-cli.js';
import { mmd2 } from '../src/metrics/mmd.js';
import { SAMPLE_COLOUR } from '../src/plot/palette.js';
import type { PageState } from '../src/public/page/main.js';
import { Rng } from '../src/rng.js';
import { RNG_STREAMS } from '../src/rng-streams.js';
import { buildWebPage } from '../web/build.js';
import { CHROMIUM_SKIP_REASON, hasChromium, launchChromium, serveFolder } from './browser-helpers.js';
import { tempDir, useWasm } from './helpers.js';

if (!hasChromium) console.warn(`skipping the page test: ${CHROMIUM_SKIP_REASON}`);

/** Runs a command with its printing silenced. */
async function quietly(run: () => Promise<number>): Promise<number> {
  const spies = [vi.spyOn(console, 'log'), vi.spyOn(console, 'error'), vi.spyOn(process.stdout, 'write'), vi.spyOn(process.stderr, 'write')];
  for (const s of spies) s.mockImplementation((() => true) as never);
  try {
    return await run();
  } finally {
    for (const s of spies) s.mockRestore();
  }
}

const N = 400;
const STEPS = 40;
const FRAME_EVERY = 5;
const SEED = 3;

/** Waits for run k to end and returns the page's state. */
async function finished(page: Page, run: number): Promise<PageState> {
  await page.waitForFunction((k) => window.scoreSde?.run === k && ['done', 'error'].includes(window.scoreSde.state), run, { timeout: 40_000 });
  return page.evaluate(() => window.scoreSde);
}

/** Pixels of the plot canvas where red leads green and blue by 60 levels: the samples' #d62728 at 0.6 over the blues, never the blues or white. */
function redPixels(page: Page): Promise<number> {
  return page.evaluate(() => {
    const canvas = document.getElementById('plot') as HTMLCanvasElement;
    const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    let count = 0;
    for (let i = 0; i < data.length; i += 4) if (data[i]! > data[i + 1]! + 60 && data[i]! > data[i + 2]! + 60) count++;
    return count;
  });
}

describe.skipIf(!hasChromium)(`the page's plot, floor, image grid, frames and folder picker in headless Chromium${hasChromium ? '' : ` (skipped: ${CHROMIUM_SKIP_REASON})`}`, () => {
  let site: string;
  let browser: Browser | undefined;
  let server: { url: string; close: () => Promise<void> } | undefined;

  beforeAll(async () => {
    await useWasm();
    site = tempDir('page-site');
    await buildWebPage(site);
    // A tiny grid9 run with its evaluation (so the bundle carries metrics with their floor), and a tiny MNIST U-Net.
    const points = path.join(tempDir('page-grid9'), 'run');
    const evalFlags = ['--eval-samples', '200', '--eval-steps', '10'];
    // Long enough that the samples land near the modes (so they are drawn inside the target's view).
    const args = ['--width', '48', '--depth', '2', '--batch-size', '128', '--steps', '400', '--checkpoint-every', '400', '--log-every', '100', '--backend', 'wasm', '--threads', '1'];
    expect(await quietly(() => trainCli([...args, ...evalFlags, '--out', points]))).toBe(0);
    expect(await quietly(() => exportCli(['--run', points, '--out', path.join(site, 'points')]))).toBe(0);
    const images = path.join(tempDir('page-mnist'), 'run');
    const tiny = ['--target', 'mnist', '--subset', '64', '--channels', '8,16', '--groups', '4', '--batch-size', '8', '--backend', 'wasm', '--threads', '1'];
    expect(await quietly(() => trainCli([...tiny, '--steps', '2', '--checkpoint-every', '2', '--log-every', '1', '--no-eval', '--out', images]))).toBe(0);
    expect(await quietly(() => exportCli(['--run', images, '--out', path.join(site, 'images')]))).toBe(0);
    server = await serveFolder(site);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('draws axes with ticks, a legend, the particles frame by frame in the CLI colours, and the MMD^2 beside its floor', async () => {
    const page = await browser!.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${server!.url}index.html?bundle=points/&n=${N}&steps=${STEPS}&seed=${SEED}&frameEvery=${FRAME_EVERY}&backend=cpu&autorun=1`);
    const state = await finished(page, 1);
    expect(state.error).toBeUndefined();
    expect(state).toMatchObject({ state: 'done', source: 'url', image: false });
    // A frame every 5 of the 40 steps (one batch): 8 frames, the last at tau_min.
    expect(state.frames).toBe(STEPS / FRAME_EVERY);

    const xTicks = await page.locator('#axes text.tick-label.x').allTextContents();
    const yTicks = await page.locator('#axes text.tick-label.y').allTextContents();
    expect(xTicks.length).toBeGreaterThanOrEqual(3);
    expect(yTicks.length).toBeGreaterThanOrEqual(3);
    for (const t of [...xTicks, ...yTicks]) expect(Number.isFinite(Number(t))).toBe(true);
    expect(await page.locator('#axes .axis-title').allTextContents()).toEqual(['x0', 'x1']);
    expect(await page.locator('#axes line.tick').count()).toBe(xTicks.length + yTicks.length);
    // The legend names the samples and the density, the samples' swatch in the CLI's colour.
    expect(await page.locator('#axes .legend .legend-label').allTextContents()).toEqual(expect.arrayContaining(['samples', 'density / max']));
    expect(await page.locator('#axes .legend circle').first().getAttribute('fill')).toBe(SAMPLE_COLOUR);
    // The samples are drawn on the canvas in that colour.
        expect(await redPixels(page)).toBeGreaterThan(N);

    // The floor is MMD^2 between the second and first reference sets, as npm run sample computes it.
    const target = createTarget('grid9');
    const reference = target.sample(N, Rng.derive(SEED, RNG_STREAMS.reference, 0));
    const floor = mmd2(target.sample(N, Rng.derive(SEED, RNG_STREAMS.reference, 1)), reference, 2);
    expect(state.floor).toBeCloseTo(floor, 12);
    expect(state.mmd2).toBeCloseTo(mmd2(Float64Array.from(state.samples!), reference, 2), 12);
    expect(await page.textContent('#mmd')).toContain(state.mmd2!.toExponential(3));
    expect(await page.textContent('#floor')).toContain(`floor ${floor.toExponential(3)}`);
    expect(await page.textContent('#floor')).toMatch(/two independent target samples of 400, computed here/);
    // And the run's own evaluation, from the bundle's config.json, with its recorded floor.
    const bundle = JSON.parse(fs.readFileSync(path.join(site, 'points', 'config.json'), 'utf8')) as { evaluation: { label: string; mmd: number; floor: { mmd: number } }[] };
    const evaluation = bundle.evaluation[0]!;
    expect(await page.textContent('#description')).toContain(`MMD^2 ${evaluation.mmd.toExponential(3)} (floor ${evaluation.floor.mmd.toExponential(3)})`);
    expect(errors).toEqual([]);

    // The same bundle through the folder picker gives the same samples; a folder with a damaged weight file is refused.
    await page.setInputFiles('#folder', path.join(site, 'points'));
    expect(await page.textContent('#status')).toMatch(/picked the folder points/);
    await page.click('#sample');
    const picked = await finished(page, 2);
    expect(picked).toMatchObject({ state: 'done', source: 'folder' });
    expect(picked.samples).toEqual(state.samples);
    const damaged = path.join(tempDir('page-damaged'), 'points');
    fs.cpSync(path.join(site, 'points'), damaged, { recursive: true });
    const weights = path.join(damaged, 'weights.bin');
    const bytes = fs.readFileSync(weights);
    bytes[bytes.length - 1] ^= 0xff;
    fs.writeFileSync(weights, bytes);
    await page.setInputFiles('#folder', damaged);
    await page.click('#sample');
    const refused = await finished(page, 3);
    expect(refused.state).toBe('error');
    expect(refused.error).toMatch(/weights\.bin.*sha-?256/i);
    await page.close();
  });

  it('opens from disk (file://) and samples a picked bundle folder with no server', async () => {
    const page = await browser!.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`file://${path.join(site, 'index.html')}`);
    // From disk the page still has Web Crypto, so the picked files' SHA-256 is checked there too.
    expect(await page.evaluate(() => window.isSecureContext && typeof crypto.subtle?.digest === 'function')).toBe(true);
    await page.setInputFiles('#folder', path.join(site, 'points'));
    await page.fill('#n', '100');
    await page.fill('#steps', '10');
    await page.selectOption('#backend', 'cpu');
    await page.click('#sample');
    const state = await finished(page, 1);
    expect(state.error).toBeUndefined();
    expect(state).toMatchObject({ state: 'done', source: 'folder', n: 100 });
    expect(await page.locator('#axes text.tick-label').count()).toBeGreaterThanOrEqual(6);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('draws an image bundle as a grid of its images, updated as they are denoised', async () => {
    const page = await browser!.newPage();
    await page.goto(`${server!.url}index.html?bundle=images/&n=16&steps=4&frameEvery=1&backend=wasm&autorun=1`);
    const state = await finished(page, 1);
    expect(state.error).toBeUndefined();
    expect(state).toMatchObject({ state: 'done', image: true, n: 16 });
    expect(state.samples).toHaveLength(16 * 784);
    // A frame at each of the 4 steps.
    expect(state.frames).toBe(4);
    // No axes on an image grid; the caption says what it shows.
    expect(await page.locator('#axes text').count()).toBe(0);
    expect(await page.textContent('#frame')).toMatch(/first 16 samples, 28 x 28/);
    // Pixels: a 4 x 4 grid of 28 x 28 cells with 2-pixel grey separators, scaled to the canvas.
    const grid = await page.evaluate(() => {
      const canvas = document.getElementById('plot') as HTMLCanvasElement;
      const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      const side = 4 * 28 + 5 * 2;
      const scale = canvas.width / side;
      const at = (gx: number, gy: number) => data[4 * (Math.floor((gy + 0.5) * scale) * canvas.width + Math.floor((gx + 0.5) * scale))]!;
      const separators: number[] = [];
      const cells: number[][] = [];
      for (let k = 0; k < 16; k++) {
        const x0 = 2 + (k % 4) * 30;
        const y0 = 2 + Math.floor(k / 4) * 30;
        separators.push(at(x0 - 1, y0 + 14), at(x0 + 14, y0 - 1));
        const cell: number[] = [];
        for (let r = 0; r < 28; r++) for (let c = 0; c < 28; c++) cell.push(at(x0 + c, y0 + r));
        cells.push(cell);
      }
      const grey = (v: number) => data[4 * v] === data[4 * v + 1] && data[4 * v] === data[4 * v + 2];
      let coloured = 0;
      for (let i = 0; i < data.length / 4; i++) if (!grey(i)) coloured++;
      return { separators, cells, coloured };
    });
    expect(new Set(grid.separators)).toEqual(new Set([128]));
    expect(grid.coloured).toBe(0);
    // Each cell is the sample's pixels: round(255 (v + 1) / 2), clipped to [0, 255].
    const expected = (k: number) => state.samples!.slice(k * 784, (k + 1) * 784).map((v) => Math.round(255 * Math.min(1, Math.max(0, (v + 1) / 2))));
    for (let k = 0; k < 16; k++) {
      const diffs = grid.cells[k]!.map((v, i) => Math.abs(v - expected(k)[i]!));
      expect(Math.max(...diffs)).toBeLessThanOrEqual(1);
    }
  });
});
