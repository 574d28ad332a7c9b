import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trainCli } from '../src/cli/train-cli.js';
import { writeExperimentReport } from '../src/report/experiment-report.js';
import { tempDir, tinyTrainArgs } from './helpers.js';

/** CI installs it with: apt-get install -y --no-install-recommends chromium */
const CHROMIUM = '/usr/bin/chromium';
const hasChromium = fs.existsSync(CHROMIUM);
// Why a skip happens is said twice: printed at collection, and in the suite's name, which every reporter lists.
const SKIP_REASON = `${CHROMIUM} is absent (apt-get install chromium)`;
if (!hasChromium) console.warn(`skipping the report's browser test: ${SKIP_REASON}`);

describe.skipIf(!hasChromium)(`report.html in headless Chromium${hasChromium ? '' : ` (skipped: ${SKIP_REASON})`}`, () => {
  let run: string;
  let browser: Browser | undefined;

  beforeAll(async () => {
    run = path.join(tempDir('report-page'), 'run');
    // A tiny run with snapshots and its evaluation: train writes the page at the end.
    const args = tinyTrainArgs(run, 10, '--snapshot-every', '5').filter((a) => a !== '--no-eval');
    expect(await trainCli([...args, '--eval-samples', '200', '--eval-steps', '20'])).toBe(0);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      // No network at all: the page must render from the file alone.
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  });

  afterAll(async () => {
    await browser?.close();
  });

  /** Opens a file, refusing every request that is not the file itself; returns what the page logged as errors. */
  async function open(file: string) {
    const page = await browser!.newPage();
    const errors: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    const url = pathToFileURL(file).href;
    await page.route('**/*', (route) => {
      const u = route.request().url();
      if (u === url || u.startsWith('data:')) return route.continue();
      requests.push(u);
      return route.abort();
    });
    await page.goto(url);
    await page.waitForLoadState('load');
    return { page, errors, requests };
  }

  it("renders the run's charts, snapshots, evaluation and tables without errors or requests", async () => {
    const { page, errors, requests } = await open(path.join(run, 'report.html'));
    // The training charts: one Vega SVG with three line charts (loss raw and averaged, learning rate, gradient norm).
    expect(await page.locator('.chart svg').count()).toBe(1);
    expect(await page.locator('.chart svg path.mark-line, .chart svg g.mark-line path').count()).toBeGreaterThanOrEqual(4);
    // Snapshots at steps 5 and 10, and the evaluation's samples plot, decoded by the browser.
    const images = await page.locator('img').evaluateAll((imgs) => imgs.map((i) => ({ ok: (i as HTMLImageElement).complete && (i as HTMLImageElement).naturalWidth > 0, alt: i.getAttribute('alt') })));
    expect(images.filter((i) => i.ok)).toHaveLength(3);
    expect(images.map((i) => i.alt)).toEqual(expect.arrayContaining(['samples at step 5', 'samples at step 10']));
    expect(await page.locator('table.metrics tbody tr').count()).toBeGreaterThanOrEqual(4);
    expect(await page.locator('table.metrics tbody tr').first().locator('td').count()).toBe(4);
    expect(await page.locator('table.config tbody tr').count()).toBeGreaterThan(20);
    expect(await page.locator('table.files a[href="checkpoint.bin"]').count()).toBe(1);
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
    await page.close();
  });

  it("renders the experiment's page: its tables and embedded figures", async () => {
    const out = tempDir('report-page-experiment');
    fs.mkdirSync(path.join(out, 'figures'));
    const figure = path.join(out, 'figures', 'step-5.png');
    fs.copyFileSync(path.join(run, 'snapshots', 'step-5.png'), figure);
    const summary = '# VP vs PBM\n\n## grid9\n\n| d | process | mmd model |\n|---|---|---|\n| 2 | vp | 0.1 |\n| 2 | pbm | 0.2 |\n';
    const { page, errors, requests } = await open(writeExperimentReport(out, summary, [figure], []));
    expect(await page.locator('table.summary tbody tr').count()).toBe(2);
    expect(await page.locator('img').evaluateAll((imgs) => imgs.filter((i) => (i as HTMLImageElement).naturalWidth > 0).length)).toBe(1);
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
    await page.close();
  });
});
