import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { reportCli } from '../src/cli/report-cli.js';
import { trainCli } from '../src/cli/train-cli.js';
import { UsageError } from '../src/errors.js';
import { writeExperimentReport } from '../src/report/experiment-report.js';
import { markdownToHtml } from '../src/report/markdown.js';
import { collectRunReport, flattenConfig, metricRows } from '../src/report/run-data.js';
import { trainingCharts } from '../src/report/training-charts.js';
import { snapshotsOf } from '../src/run/snapshot-files.js';
import { oneLineRefusal, tempDir, tinyTrainArgs } from './helpers.js';

/** A tiny run with a short evaluation, snapshots every 5 steps (20 steps, checkpoints every 5). */
const trainArgs = (out: string, ...extra: string[]) =>
  tinyTrainArgs(out, 20, ...extra).filter((a) => a !== '--no-eval').concat(['--eval-samples', '200', '--eval-steps', '20']);

let run: string;

beforeAll(async () => {
  run = path.join(tempDir('report'), 'run');
  expect(await trainCli(trainArgs(run, '--snapshot-every', '5'))).toBe(0);
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe('snapshots (train --snapshot-every)', () => {
  it('are drawn every K steps, as a picture and the samples', () => {
    expect(snapshotsOf(run).map((s) => s.step)).toEqual([5, 10, 15, 20]);
    for (const step of [5, 10, 15, 20]) {
      expect(fs.existsSync(path.join(run, 'snapshots', `step-${step}.npy`))).toBe(true);
      expect(fs.readFileSync(path.join(run, 'snapshots', `step-${step}.png`)).subarray(1, 4).toString()).toBe('PNG');
    }
  });

  it('leave the training result, the evaluation and the log records byte for byte as without them', async () => {
    const plain = path.join(tempDir('report-plain'), 'run');
    expect(await trainCli(trainArgs(plain))).toBe(0);
    expect(fs.readFileSync(path.join(run, 'checkpoint.bin')).equals(fs.readFileSync(path.join(plain, 'checkpoint.bin')))).toBe(true);
    const samples = (dir: string) => fs.readFileSync(path.join(dir, 'samples', 'ema-n200-steps20-seed0', 'samples.npy'));
    expect(samples(run).equals(samples(plain))).toBe(true);
    // The log's values that do not measure time or memory.
    const records = (dir: string) => fs.readFileSync(path.join(dir, 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const values = (dir: string) => records(dir).map((r) => (r['kind'] === 'evaluation' ? r['metrics'] : [r['step'], r['loss'], r['loss_avg'], r['lr'], r['grad_norm']]));
    expect(values(run)).toEqual(values(plain));
    // And the snapshots leave no tensor behind: the count stays flat across them.
    const tensors = records(run).filter((r) => r['kind'] === undefined).map((r) => r['tensors']);
    expect(new Set(tensors).size).toBe(1);
    expect(fs.existsSync(path.join(plain, 'snapshots'))).toBe(false);
  });

  it('a resumed run draws them again from its checkpoint: the snapshots after it are replaced, the same', async () => {
    const resumed = path.join(tempDir('report-resume'), 'run');
    expect(await trainCli(tinyTrainArgs(resumed, 10, '--snapshot-every', '5', '--keep-checkpoints', '2'))).toBe(0);
    expect(await trainCli(['--resume', resumed, '--from-step', '5', '--no-eval', '--threads', '1'])).toBe(0);
    // Without --snapshot-every this time, the snapshot past step 5 is gone with the updates it showed.
    expect(snapshotsOf(resumed).map((s) => s.step)).toEqual([5]);
    expect(await trainCli(['--resume', resumed, '--from-step', '5', '--no-eval', '--snapshot-every', '5', '--threads', '1'])).toBe(0);
    expect(snapshotsOf(resumed).map((s) => s.step)).toEqual([5, 10]);
    // The same as the uninterrupted run's (a constant learning rate: its first 10 steps are these).
    const npy = (dir: string, step: number) => fs.readFileSync(path.join(dir, 'snapshots', `step-${step}.npy`));
    for (const step of [5, 10]) expect(npy(resumed, step).equals(npy(run, step))).toBe(true);
  });
});

describe("the run's data", () => {
  it('flattens the config into dotted keys', () => {
    expect(flattenConfig({ a: { b: 1, c: [2, 3] }, d: 'x' })).toEqual([
      ['a.b', '1'],
      ['a.c', '2, 3'],
      ['d', 'x'],
    ]);
  });

  it('puts each metric beside its floor, with the ratio only over a positive floor', () => {
    const rows = metricRows({ mmd: 0.002, sinkhorn: 0.3, extra_metric: 5, fid_floor: 3 }, { mmd: -0.001, sinkhorn: 0.1 });
    expect(rows).toEqual([
      { metric: 'mmd', value: 0.002, floor: -0.001, ratio: null },
      { metric: 'sinkhorn', value: 0.3, floor: 0.1, ratio: 0.3 / 0.1 },
      { metric: 'extra_metric', value: 5, floor: null, ratio: null },
    ]);
    expect(metricRows(null, null)).toEqual([]);
  });

  it('reads the config, the log, the snapshots, the evaluations from the log and from samples/*/metrics.json', () => {
    const copy = path.join(tempDir('report-data'), 'run');
    fs.cpSync(run, copy, { recursive: true });
    // A sampling by `npm run sample` leaves a folder the log does not name.
    const extra = path.join(copy, 'samples', 'ema-n100-steps10-seed3');
    fs.mkdirSync(extra);
    fs.writeFileSync(path.join(extra, 'metrics.json'), JSON.stringify({ mmd: 0.5, energy: 0.2, floor: { mmd: 0.25, energy: 0.1 }, score: 'ema weights at step 20', n: 100 }));
    const data = collectRunReport(copy);
    expect(data.config.target.name).toBe('grid9');
    expect(data.configRows).toContainEqual(['train.steps', '20']);
    expect(data.records.map((r) => r.step)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(data.snapshots).toEqual([5, 10, 15, 20].map((step) => ({ step, png: `snapshots/step-${step}.png` })));
    expect(data.evaluations.map((e) => [e.step, e.dir, e.source])).toEqual([
      [20, 'samples/ema-n200-steps20-seed0', 'log'],
      [20, 'samples/ema-n100-steps10-seed3', 'metrics.json'],
    ]);
    const fromLog = data.evaluations[0]!;
    expect(fromLog.plot).toBe('samples/ema-n200-steps20-seed0/samples.png');
    expect(fromLog.rows.map((r) => r.metric)).toEqual(expect.arrayContaining(['mmd', 'sinkhorn', 'sliced_wasserstein', 'energy']));
    expect(fromLog.rows.every((r) => typeof r.floor === 'number')).toBe(true);
    expect(data.evaluations[1]!.rows).toEqual([
      { metric: 'mmd', value: 0.5, floor: 0.25, ratio: 2 },
      { metric: 'energy', value: 0.2, floor: 0.1, ratio: 2 },
    ]);
    expect(data.files.map((f) => f.name)).toEqual(['checkpoint.bin', 'config.json', 'log.jsonl', 'report.html']);
  });

  it('charts loss (raw and averaged), learning rate and gradient norm against step', () => {
    const charts = trainingCharts(collectRunReport(run).records);
    expect(charts.map((c) => c.title)).toEqual(['loss', 'learning rate', 'gradient norm (before clipping)']);
    expect(charts[0]!.series.map((s) => s.label)).toEqual(['raw', 'averaged']);
    expect(Array.from(charts[1]!.series[0]!.x)).toHaveLength(20);
  });
});

describe('npm run report', () => {
  it('writes report.html and, with --json, prints only {report, ...} on stdout', async () => {
    const copy = path.join(tempDir('report-cli'), 'run');
    fs.cpSync(run, copy, { recursive: true });
    fs.rmSync(path.join(copy, 'report.html'));
    const before = Object.fromEntries(['checkpoint.bin', 'log.jsonl', 'config.json'].map((f) => [f, fs.readFileSync(path.join(copy, f))]));
    const written: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => (written.push(String(chunk)), true));
    vi.spyOn(console, 'error').mockImplementation(() => {});
    expect(await reportCli(['--run', copy, '--json'])).toBe(0);
    vi.restoreAllMocks();
    expect(written).toHaveLength(1);
    const summary = JSON.parse(written[0]!) as Record<string, unknown>;
    expect(summary).toMatchObject({ status: 'completed', report: path.join(copy, 'report.html'), log_records: 20, snapshots: 4, evaluations: 1 });
    const html = fs.readFileSync(path.join(copy, 'report.html'), 'utf8');
    // Self-contained: no scripts, nothing fetched; images inline.
    expect(html).not.toMatch(/<script|src="http|href="http/);
    expect(html.match(/<img src="data:image\/png;base64,/g)).toHaveLength(4 + 1);
    expect(html).toContain('<svg');
    for (const [f, bytes] of Object.entries(before)) expect(fs.readFileSync(path.join(copy, f)).equals(bytes)).toBe(true);
  });

  it('refuses a missing directory and one that is not a run, in one line', async () => {
    const missing = path.join(tempDir('report-missing'), 'nothing');
    expect((await oneLineRefusal(() => reportCli(['--run', missing]), UsageError)).message).toBe(`--run ${missing}: no such run directory`);
    const empty = tempDir('report-empty');
    expect((await oneLineRefusal(() => reportCli(['--run', empty]), UsageError)).message).toBe(`--run ${empty}: not a run directory (config.json is missing)`);
    expect((await oneLineRefusal(() => reportCli([]), UsageError)).message).toMatch(/^--run is required/);
    expect(fs.readdirSync(empty)).toEqual([]);
  });
});

describe("the experiment's page", () => {
  it("holds summary.md's tables, its figures embedded, and links to its files", () => {
    const out = tempDir('report-experiment');
    fs.mkdirSync(path.join(out, 'figures'));
    const png = fs.readFileSync(path.join(run, 'snapshots', 'step-5.png'));
    fs.writeFileSync(path.join(out, 'figures', 'mmd-vs-dim.png'), png);
    fs.writeFileSync(path.join(out, 'figures', 'mmd-vs-dim.svg'), '<svg/>');
    const summary = '# VP vs PBM\n\nwhat ran\n\n## gmm\n\n| d | process | mmd model |\n|---|---|---|\n| 2 | vp | 0.1 ± 0.01 |\n| 2 | pbm | 0.2 |\n';
    const report = writeExperimentReport(out, summary, ['mmd-vs-dim.svg', 'mmd-vs-dim.png'].map((f) => path.join(out, 'figures', f)), [path.join(out, 'results.csv')]);
    const html = fs.readFileSync(report, 'utf8');
    expect(report).toBe(path.join(out, 'report.html'));
    expect(html).toContain('<h3>gmm</h3>');
    expect(html).toContain('<td>0.1 ± 0.01</td>');
    expect(html.match(/<img src="data:image\/png;base64,/g)).toHaveLength(1);
    expect(html).toContain('href="results.csv"');
    expect(html).toContain('href="figures/mmd-vs-dim.svg"');
  });

  it('reads the Markdown the project writes: headings, pipe tables, paragraphs', () => {
    const html = markdownToHtml('# T\n\nline one\nline `two`\n\n| a | b |\n|---|---|\n| 1 | <2> |\n');
    expect(html).toBe(
      '<h2>T</h2>\n<p>line one line <code>two</code></p>\n<table class="summary">\n<thead><tr><th>a</th><th>b</th></tr></thead>\n<tbody>\n<tr><td>1</td><td>&lt;2&gt;</td></tr>\n</tbody>\n</table>',
    );
  });
});
