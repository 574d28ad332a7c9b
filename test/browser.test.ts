import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTarget } from '../datasets/index.js';
import { buildWebPage } from '../web/build.js';
import { loadScoreModel, sample } from '../src/api.js';
import { exportCli } from '../src/cli/export-cli.js';
import { mmd2 } from '../src/metrics/mmd.js';
import { buildRun } from '../src/run/build.js';
import { RNG_STREAMS } from '../src/rng-streams.js';
import { writeRunConfig } from '../src/run/run-dir.js';
import { Rng } from '../src/rng.js';
import { TrainingLog } from '../src/train/log.js';
import { freshState } from '../src/train/state.js';
import { runTraining } from '../src/train/trainer.js';
import type { PageState } from '../src/public/page/main.js';
import { CHROMIUM_SKIP_REASON, hasChromium, launchChromium, serveFolder } from './browser-helpers.js';
import { smallConfig, tempDir, useWasm } from './helpers.js';

// Why a skip happens is said twice: printed at collection, and in the suite's name, which every reporter lists.
const SKIP_REASON = CHROMIUM_SKIP_REASON;
if (!hasChromium) console.warn(`skipping the browser test: ${SKIP_REASON}`);

const N = 1000;
const STEPS = 100;
const SEED = 1;
const FLOOR_REPLICATES = 8;

describe.skipIf(!hasChromium)(`the static page in headless Chromium${hasChromium ? '' : ` (skipped: ${SKIP_REASON})`}`, () => {
  let site: string;
  let browser: Browser | undefined;
  let server: { url: string; close: () => Promise<void> } | undefined;

  beforeAll(async () => {
    await useWasm();
    // A short grid9 run, exported by the command.
    const config = smallConfig({ steps: 600, batchSize: 256, logEvery: 100, checkpointEvery: 600, emaHalfLife: 50 });
    const run = path.join(tempDir('browser-run'), 'run');
    fs.mkdirSync(run);
    writeRunConfig(run, config);
    const parts = buildRun(config);
    const state = freshState(parts.backbone, config.train.emaHalfLife);
    await runTraining({ runDir: run, config: config.train, target: parts.target, path: parts.path, net: parts.net, state, log: new TrainingLog(path.join(run, 'log.jsonl')) });
    parts.backbone.dispose();
    site = tempDir('site');
    await buildWebPage(site);
    expect(await exportCli(['--run', run, '--out', path.join(site, 'bundle')])).toBe(0);
    server = await serveFolder(site);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('samples the exported bundle with the MMD it reaches in Node', async () => {
    const target = createTarget('grid9');
    const reference = target.sample(N, Rng.derive(SEED, RNG_STREAMS.reference, 0));
    const model = await loadScoreModel(path.join(site, 'bundle'));
    const nodeSamples = await sample(model, { n: N, steps: STEPS, seed: SEED });
    model.dispose();
    const nodeMmd = mmd2(Float64Array.from(nodeSamples), reference, 2);
    // The spread of MMD^2 between independent target samples of this size.
    const floors = Array.from({ length: FLOOR_REPLICATES }, (_, i) =>
      mmd2(target.sample(N, Rng.derive(SEED, 900, 2 * i)), target.sample(N, Rng.derive(SEED, 900, 2 * i + 1)), 2),
    );
    const floorMean = floors.reduce((s, v) => s + v, 0) / floors.length;
    const floorSd = Math.sqrt(floors.reduce((s, v) => s + (v - floorMean) ** 2, 0) / (floors.length - 1));
    const bound = Math.max(nodeMmd, floorMean) + 4 * floorSd;

    const page = await browser!.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));
    const runPage = async (run: number) => {
      await page.waitForFunction((k) => window.scoreSde?.run === k && ['done', 'error'].includes(window.scoreSde.state), run, { timeout: 60_000 });
      return page.evaluate(() => ({
        ...window.scoreSde,
        progress: [(document.getElementById('progress') as HTMLProgressElement).value, (document.getElementById('progress') as HTMLProgressElement).max],
      })) as Promise<PageState & { progress: [number, number] }>;
    };

    // The pure-JS cpu backend: different kernels from Node's wasm, so a genuinely independent computation.
    await page.goto(`${server!.url}index.html?bundle=bundle/&n=${N}&steps=${STEPS}&seed=${SEED}&backend=cpu&autorun=1`);
    const cpu = await runPage(1);
    expect(cpu.error).toBeUndefined();
    expect(cpu).toMatchObject({ state: 'done', backend: 'cpu', n: N, steps: STEPS, seed: SEED, progress: [STEPS, STEPS] });
    const cpuSamples = Float64Array.from(cpu.samples!);
    const cpuMmd = mmd2(cpuSamples, reference, 2);
    // The page's own MMD uses the same reference stream as npm run sample.
    expect(cpu.mmd2).toBeCloseTo(cpuMmd, 12);

    // Then through the form: the wasm backend and the steps changed in the page.
    await page.selectOption('#backend', 'wasm');
    await page.fill('#steps', String(STEPS / 2));
    await page.click('#sample');
    const wasm = await runPage(2);
    expect(wasm).toMatchObject({ state: 'done', backend: 'wasm', steps: STEPS / 2, progress: [STEPS / 2, STEPS / 2] });

    // An ODE solver chosen in the form: the page reports the evaluations it counted (10 Heun steps, 2 each, and the denoising).
    await page.selectOption('#solver', 'heun');
    await page.fill('#steps', '10');
    await page.click('#sample');
    const heun = await runPage(3);
    expect(heun).toMatchObject({ state: 'done', solver: 'heun', steps: 10, nfe: 21 });
    expect(await page.textContent('#status')).toMatch(/heun, 10 steps, 21 network evaluations each/);
    expect(pageErrors).toEqual([]);

    console.log(
      `browser test: MMD^2 (n = ${N}, ${STEPS} steps, seed ${SEED}) Node ${nodeMmd.toExponential(3)}, ` +
        `browser cpu ${cpuMmd.toExponential(3)} (${cpu.samplingSeconds!.toFixed(1)} s); floor ${floorMean.toExponential(3)} ` +
        `+- ${floorSd.toExponential(3)} over ${FLOOR_REPLICATES} replicates; bound ${bound.toExponential(3)}; ` +
        `browser wasm with ${STEPS / 2} steps ${wasm.mmd2!.toExponential(3)} (${wasm.samplingSeconds!.toFixed(1)} s)`,
    );
    expect(cpuMmd).toBeLessThanOrEqual(bound);
    await page.close();
  });
});
