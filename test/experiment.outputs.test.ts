import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { aggregate, stat } from '../src/experiment/aggregate.js';
import { toCsv } from '../src/experiment/csv.js';
import { figurePlan } from '../src/experiment/figures.js';
import { enumerateCells } from '../src/experiment/grid.js';
import { writeOutputs } from '../src/experiment/outputs.js';
import { cellRow, curveRows, ROW_COLUMNS, sortRows, type Row } from '../src/experiment/rows.js';
import { formatNumber, formatStat, summaryMarkdown } from '../src/experiment/table.js';
import { syntheticRecord, TEST_RECIPE } from './experiment.helpers.js';
import { tempDir } from './helpers.js';

describe('mean and standard deviation over seeds', () => {
  it('are exact on hand-computable values (sample std, n - 1)', () => {
    expect(stat([1, 2, 3, 4])).toEqual({ mean: 2.5, std: Math.sqrt(5 / 3), n: 4 });
    expect(stat([2, 4, 4, 4, 5, 5, 7, 9])).toEqual({ mean: 5, std: Math.sqrt(32 / 7), n: 8 });
    expect(stat([7])).toEqual({ mean: 7, std: null, n: 1 });
    expect(stat([])).toEqual({ mean: null, std: null, n: 0 });
  });

  it('group rows by key columns in order of appearance; missing and non-finite values are left out; booleans count 0/1', () => {
    const rows: Row[] = [
      { target: 'gmm', dim: 2, seed: 0, x: 1, y: null, ok: true },
      { target: 'gmm', dim: 2, seed: 1, x: 3, y: 10, ok: false },
      { target: 'funnel', dim: 2, seed: 0, x: 5, y: Number.NaN, ok: true },
      { target: 'gmm', dim: 2, seed: 2, x: 8, y: 20, ok: true },
    ];
    const groups = aggregate(rows, ['target', 'dim'], ['x', 'y', 'ok']);
    expect(groups.map((g) => g.group)).toEqual([
      { target: 'gmm', dim: 2 },
      { target: 'funnel', dim: 2 },
    ]);
    expect(groups[0]!.count).toBe(3);
    expect(groups[0]!.stats['x']).toEqual({ mean: 4, std: Math.sqrt(13), n: 3 }); // (9 + 1 + 16) / 2 = 13
    expect(groups[0]!.stats['y']).toEqual({ mean: 15, std: Math.sqrt(50), n: 2 });
    expect(groups[0]!.stats['ok']!.mean).toBe(2 / 3);
    expect(groups[0]!.stats['ok']!.std).toBeCloseTo(Math.sqrt(1 / 3), 15); // (1/9 + 4/9 + 1/9) / 2, to the last bit or so
    expect(groups[1]!.stats['y']).toEqual({ mean: null, std: null, n: 0 });
  });
});

describe('CSV', () => {
  it('writes a header, full-precision numbers, empty missing values, and quotes what needs it', () => {
    const csv = toCsv(['a', 'b', 'c', 'd'], [
      { a: 0.1 + 0.2, b: 'x,y', c: null, d: true },
      { a: -1e-12, b: 'say "hi"', d: Number.POSITIVE_INFINITY },
      { a: 3, b: 'two\nlines', c: 'plain' },
    ]);
    expect(csv).toBe('a,b,c,d\n0.30000000000000004,"x,y",,true\n-1e-12,"say ""hi""",,\n3,"two\nlines",plain,\n');
  });

  it('one row per cell and seed with every column; metrics a target lacks are empty', () => {
    const specs = enumerateCells('vp-vs-pbm', { targets: ['funnel', 'gmm'], dims: [2], processes: ['vp'], widths: [8], seeds: [0, 1] }, TEST_RECIPE);
    const rows = sortRows(specs.map((s, k) => cellRow(syntheticRecord(s, k + 1))));
    const csv = toCsv(ROW_COLUMNS, rows).trimEnd().split('\n');
    expect(csv).toHaveLength(5);
    const header = csv[0]!.split(',');
    expect(header).toEqual(ROW_COLUMNS);
    const at = (line: number, column: string) => csv[line]!.split(',')[header.indexOf(column)];
    expect(csv.slice(1).map((l) => l.split(',').slice(0, 5).join(','))).toEqual(['funnel,2,vp,8,0', 'funnel,2,vp,8,1', 'gmm,2,vp,8,0', 'gmm,2,vp,8,1']);
    expect(at(1, 'model_x0_w1')).not.toBe('');
    expect(at(1, 'model_mode_coverage')).toBe('');
    expect(at(3, 'model_x0_w1')).toBe('');
    expect(at(3, 'oracle_weight_tv')).not.toBe('');
  });
});

describe('summary table', () => {
  it('formats means ± standard deviations to three significant digits', () => {
    expect(formatNumber(0.123456)).toBe('0.123');
    expect(formatNumber(1234.5)).toBe('1230');
    expect(formatNumber(0.00123456)).toBe('1.23e-3');
    expect(formatNumber(2e-5)).toBe('2e-5');
    expect(formatNumber(0)).toBe('0');
    expect(formatStat({ mean: 0.5, std: 0.0123, n: 3 })).toBe('0.5 ± 0.0123');
    expect(formatStat({ mean: 0.5, std: null, n: 1 })).toBe('0.5');
    expect(formatStat({ mean: null, std: null, n: 0 })).toBe('–');
  });

  it('has one row per (dim, process, width) with the statistics over seeds, and the floors per dim', () => {
    const specs = enumerateCells('vp-vs-pbm', { targets: ['gmm'], dims: [2], processes: ['vp', 'pbm'], widths: [8], seeds: [0, 1, 2] }, TEST_RECIPE);
    // Values 1, 2, 4 over the seeds of each process: mean 7/3, std sqrt(7/3).
    const value = (seed: number) => [1, 2, 4][seed]!;
    const rows = sortRows(specs.map((s) => cellRow(syntheticRecord(s, value(s.key.seed)))));
    const md = summaryMarkdown(rows, 'preamble text');
    const lines = md.split('\n');
    expect(lines).toContain('## gmm');
    expect(lines).toContain('preamble text');
    const header = lines.find((l) => l.startsWith('| d | process |'))!.split(' | ');
    const row = (process: string) => lines.find((l) => l.startsWith(`| 2 | ${process} | 8 | 3 |`))!.split(' | ');
    const mean = formatNumber(7 / 3);
    const std = formatNumber(Math.sqrt(7 / 3));
    expect(row('vp')[header.indexOf('score error')]).toBe(`${mean} ± ${std}`);
    expect(row('pbm')[header.indexOf('sinkhorn model')]).toBe(`${formatNumber(14 / 3)} ± ${formatNumber(2 * Math.sqrt(7 / 3))}`);
    expect(row('pbm')[header.indexOf('mode_coverage oracle')]).toBe('1 ± 0');
    expect(header).not.toContain('x0_w1 model');
    // Floors: one row per dim, over the three seeds (the processes share them).
    const floorHeader = lines.find((l) => l.startsWith('| d | seeds |'))!.split(' | ');
    const floorRow = lines.find((l) => l.startsWith('| 2 | 3 |'))!.split(' | ');
    expect(floorRow[floorHeader.indexOf('mmd')]).toBe(`${mean} ± ${std}`);
  });
});

describe('outputs', () => {
  it('writes results.csv, score_error.csv, summary.md, summary.json and a figure per metric and axis', async () => {
    const specs = enumerateCells('vp-vs-pbm', { targets: ['funnel', 'gmm'], dims: [2, 3], processes: ['vp', 'pbm'], widths: [8, 16], seeds: [0, 1] }, TEST_RECIPE);
    const records = specs.map((s) => syntheticRecord(s, 1 + s.key.dim + s.key.width / 8 + s.key.seed));
    const out = tempDir('outputs');
    const written = await writeOutputs(out, records, 'test');
    expect(fs.readFileSync(path.join(out, 'results.csv'), 'utf8').trimEnd().split('\n')).toHaveLength(1 + specs.length);
    expect(fs.readFileSync(path.join(out, 'score_error.csv'), 'utf8').trimEnd().split('\n')).toHaveLength(1 + 3 * specs.length);
    const json = JSON.parse(fs.readFileSync(path.join(out, 'summary.json'), 'utf8')) as { groups: { count: number }[] };
    expect(json.groups).toHaveLength(specs.length / 2);
    expect(json.groups.every((g) => g.count === 2)).toBe(true);
    const names = written.figures.map((f) => path.basename(f));
    for (const metric of ['score-error', 'mmd', 'sinkhorn', 'x0-w1', 'mode-coverage', 'weight-tv']) {
      for (const axis of ['dim', 'width']) {
        expect(names).toContain(`${metric}-vs-${axis}.svg`);
        expect(names).toContain(`${metric}-vs-${axis}.png`);
      }
    }
    expect(names).toContain('score-error-vs-tau.svg');
    const svg = fs.readFileSync(path.join(out, 'figures', 'mmd-vs-dim.svg'), 'utf8');
    expect(svg).toContain('<svg');
    expect(svg).toContain('funnel, VP: MMD^2');
    expect(svg).toContain('gmm, PBM: MMD^2');
  });

  it('VP and PBM panels of a metric share one y range', () => {
    const specs = enumerateCells('vp-vs-pbm', { targets: ['gmm'], dims: [2, 3], processes: ['vp', 'pbm'], widths: [8], seeds: [0] }, TEST_RECIPE);
    const records = specs.map((s) => syntheticRecord(s, s.key.process === 'vp' ? 1 : 10));
    const rows = records.map(cellRow);
    const plan = figurePlan(rows, records.flatMap(curveRows));
    const mmd = plan.find((p) => p.name === 'mmd-vs-dim')!;
    expect(mmd.charts.map((c) => c.title)).toEqual(['gmm, VP: MMD^2', 'gmm, PBM: MMD^2']);
    expect(mmd.charts[0]!.domain?.y).toEqual(mmd.charts[1]!.domain?.y);
    expect(mmd.charts[0]!.domain!.y![0]).toBeLessThan(1);
    expect(mmd.charts[0]!.domain!.y![1]).toBeGreaterThan(10);
    // Only one width: no figures against width.
    expect(plan.some((p) => p.name.endsWith('-vs-width'))).toBe(false);
  });
});
