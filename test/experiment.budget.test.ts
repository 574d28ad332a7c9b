import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTarget } from '../datasets/index.js';
import { createMlp } from '../models/mlp.js';
import { resolveExperiment } from '../src/commands/experiment-setup.js';
import type { ExperimentCommandRequest } from '../src/commands/experiment-request.js';
import { BUDGET_DEFAULTS, BUDGET_THRESHOLDS } from '../src/config/budget-defaults.js';
import { UsageError } from '../src/errors.js';
import { bandScoreErrorMarkdown, bandSwapMarkdown, budgetCharts, computeMarkdown, criteria, lossCurveCharts, thresholdMarkdown, thresholdPerSeed, thresholdSpread, widthMarkdown } from '../src/experiment/budget-outputs.js';
import { chunkLosses } from '../src/experiment/cell-job.js';
import { convergenceDecision, smoothedLosses } from '../src/experiment/convergence.js';
import { enumerateCells, takesBandSwap, type CellSpec, type ConvergenceRule } from '../src/experiment/grid.js';
import { cellRow, rowColumns, ROW_COLUMNS, type Row } from '../src/experiment/rows.js';
import { estimateCell, estimateSweep } from '../src/experiment/estimate.js';
import { bandAverages, tauBands } from '../src/experiment/tau-bands.js';
import { lineData } from '../src/plot/line-data.js';
import { createProcess } from '../src/process/index.js';
import { Rng } from '../src/rng.js';
import { bandSwapScore } from '../src/sampler/band-swap.js';
import { networkScoreFunction, oracleScoreFunction, type ScoreFunction } from '../src/sampler/score-function.js';
import type { ScoreNetwork } from '../src/score-network.js';
import { syntheticRecord, TEST_RECIPE } from './experiment.helpers.js';
import { useWasm } from './helpers.js';

const request = (f: Partial<ExperimentCommandRequest> = {}): ExperimentCommandRequest => ({
  quick: false,
  dryRun: true,
  json: false,
  plan: false,
  cellFromEnv: false,
  collect: false,
  ...f,
});

describe('the budget study: grid and defaults', () => {
  it('has the issue grid: widths 16..512 at depth 3, d in {2, 10, 50}, funnel and gmm, vp and pbm, seeds 0..2', () => {
    const e = resolveExperiment('budget', request());
    expect(e.axes).toEqual({ targets: ['funnel', 'gmm'], dims: [2, 10, 50], processes: ['vp', 'pbm'], widths: [16, 32, 64, 128, 256, 512], seeds: [0, 1, 2] });
    expect(e.recipe.depth).toBe(3);
    expect(e.recipe.convergence).toEqual(BUDGET_DEFAULTS.recipe.convergence);
    expect(e.recipe.tauBands).toBe(3);
    expect(e.out).toBe('checkpoints/experiments/budget');
    const cells = enumerateCells('budget', e.axes, e.recipe);
    expect(cells).toHaveLength(6 * 3 * 2 * 2 * 3);
    // Band swaps at d = 50 only, for both processes.
    expect(cells.filter(takesBandSwap).map((c) => c.key.dim)).toEqual(Array(6 * 2 * 2 * 3).fill(50));
  });

  it("leaves vp-vs-pbm's recipe without the budget fields (its finished cells' specs stay valid) and refuses the budget flags there", () => {
    const e = resolveExperiment('vp-vs-pbm', request());
    expect(Object.keys(e.recipe)).not.toContain('convergence');
    expect(Object.keys(e.recipe)).not.toContain('tauBands');
    expect(Object.keys(e.recipe)).not.toContain('bandSwap');
    expect(() => resolveExperiment('vp-vs-pbm', request({ minSteps: 10 }))).toThrow(UsageError);
    expect(() => resolveExperiment('vp-vs-pbm', request({ bandSwapDims: [2] }))).toThrow(/--band-swap-dims 2: only the budget study/);
  });

  it('takes the convergence and band-swap flags, and widths up to 512', () => {
    const e = resolveExperiment('budget', request({ minSteps: 100, chunkSteps: 50, convergeWindow: 2, convergeTol: 0.05, bandSwapDims: [2], widths: [512] }));
    expect(e.recipe.convergence).toEqual({ ...BUDGET_DEFAULTS.recipe.convergence, minSteps: 100, chunkSteps: 50, window: 2, tol: 0.05 });
    expect(e.recipe.bandSwap!.dims).toEqual([2]);
    expect(enumerateCells('budget', e.axes, e.recipe)[0]!.key.width).toBe(512);
  });

  it('estimates a capped recipe at its cap, with the band swaps', () => {
    const e = resolveExperiment('budget', request());
    const [cell] = enumerateCells('budget', { ...e.axes, dims: [50], widths: [64], seeds: [0], targets: ['gmm'], processes: ['pbm'] }, e.recipe);
    const capped = estimateCell(cell!, true);
    const half = estimateCell({ ...cell!, recipe: { ...cell!.recipe, steps: cell!.recipe.steps / 2 } }, true);
    expect(capped.train).toBeCloseTo(2 * half.train, 9);
    expect(capped.bandSwap).toBeGreaterThan(0);
    expect(estimateCell({ ...cell!, recipe: { ...cell!.recipe, bandSwap: { dims: [2], processes: ['pbm'] } } }, true).bandSwap).toBe(0);
  });

  it('expects a cell with a convergence rule to train a given share of its cap, and one without it all', () => {
    const e = resolveExperiment('budget', request());
    const [cell] = enumerateCells('budget', { ...e.axes, dims: [10], widths: [64], seeds: [0], targets: ['gmm'], processes: ['vp'] }, e.recipe);
    const { train, total } = estimateCell(cell!, true);
    expect(estimateSweep([cell!], 1, 2).wallSeconds).toBeCloseTo(total, 9);
    expect(estimateSweep([cell!], 1, 2, 0.25).wallSeconds).toBeCloseTo(total - 0.75 * train, 9);
    const { convergence: _, ...fixed } = cell!.recipe;
    expect(estimateSweep([{ ...cell!, recipe: fixed }], 1, 2, 0.25).wallSeconds).toBeCloseTo(total, 9);
  });
});

describe('the convergence rule', () => {
  const rule: ConvergenceRule = { chunkSteps: 10, minSteps: 0, window: 2, tol: 0.01, beta: 0 };
  // Falls 10% per chunk for 10 chunks, then stays flat.
  const losses = Array.from({ length: 30 }, (_, k) => 0.9 ** Math.min(k, 9));
  /** The first decision along the sequence, as training would meet it chunk by chunk. */
  const firstStop = (seq: number[], r: ConvergenceRule, cap: number) => {
    for (let k = 1; k <= seq.length; k++) {
      const d = convergenceDecision(seq.slice(0, k), r, cap);
      if (d) return d;
    }
    return null;
  };

  it('stops once the loss improved by less than tol over the window, at the end of that chunk', () => {
    // Chunk 11 (index 10) is the first flat one; two chunks later the window holds no improvement.
    expect(firstStop(losses, rule, 1000)).toEqual({ reason: 'converged', step: 120, smoothedLoss: 0.9 ** 9, improvement: 0 });
  });

  it('waits for minSteps, and stops at the cap when the loss keeps falling', () => {
    expect(firstStop(losses, { ...rule, minSteps: 200 }, 1000)?.step).toBe(200);
    const falling = Array.from({ length: 30 }, (_, k) => 0.9 ** k);
    expect(firstStop(falling, rule, 55)).toMatchObject({ reason: 'cap', step: 55 });
    expect(convergenceDecision(falling.slice(0, 2), rule, 1000)).toBeNull();
  });

  it('smooths the chunk losses with an EMA, so one lucky chunk does not stop training', () => {
    expect(smoothedLosses([1, 0, 0], 0.5)).toEqual([1, 0.5, 0.25]);
    const noisy = [1, 0.8, 0.6, 0.6, ...Array<number>(26).fill(0.4)];
    // Over a window of one chunk, unsmoothed, the flat chunks 3-4 stop it at step 40; smoothed, it goes on until the EMA settles.
    expect(firstStop(noisy, { ...rule, window: 1 }, 1000)?.step).toBe(40);
    expect(firstStop(noisy, { ...rule, window: 1, beta: 0.7 }, 1000)!.step).toBeGreaterThan(60);
  });

  it('reads the chunk losses from the log records at whole chunks, up to the step trained', () => {
    const records = [50, 100, 150, 200, 250].map((step) => ({ step, loss_avg: step / 1000 }));
    expect(chunkLosses(records, 100, 200)).toEqual([0.1, 0.2]);
    expect(chunkLosses(records, 50, 200)).toEqual([0.05, 0.1, 0.15, 0.2]);
  });
});

describe('tau bands and the budget columns', () => {
  it('splits each process range in thirds that cover every tau once', () => {
    const p = createProcess('pbm', { tauMin: 0.1, tauMax: 0.7 });
    const bands = tauBands(p.tauMin, p.tauMax, 3);
    expect(bands.map((b) => b.name)).toEqual(['near_data', 'middle', 'near_prior']);
    expect(bands[0]!.hi).toBeCloseTo(0.3, 12);
    expect(bands[2]!.lo).toBeCloseTo(0.5, 12);
    expect(bandAverages([0.1, 0.2, 0.4, 0.6, 0.7], [1, 3, 5, 7, 9], bands)).toEqual({ near_data: 2, middle: 5, near_prior: 8 });
  });

  it('adds params, stop, band and swap columns to the budget rows only', () => {
    const spec: CellSpec = { study: 'budget', key: { target: 'gmm', dim: 2, process: 'pbm', width: 8, seed: 0 }, recipe: TEST_RECIPE };
    const base = syntheticRecord(spec, 1);
    const swap = (band: string, inside: 'exact' | 'network', v: number) => ({ ...base.model, band, lo: 0, hi: null, inside, metrics: { sinkhorn: v, mmd: v / 10 } });
    const record = {
      ...base,
      train: { ...base.train, stop: { reason: 'converged' as const, step: 10, smoothedLoss: 0.5, improvement: 0.001, cap: 20 } },
      scoreError: { ...base.scoreError, bands: { near_data: 0.1, middle: 0.2, near_prior: 0.3 } },
      bandSwaps: [swap('near_prior', 'exact', 4), swap('near_prior', 'network', 5)],
      bandSwapSeconds: 3,
    };
    const row = cellRow(record);
    expect(row).toMatchObject({ parameters: 100, train_stop: 'converged', score_error_near_data: 0.1, score_error_near_prior: 0.3, swap_exact_in_near_prior_sinkhorn: 4, swap_network_in_near_prior_mmd: 0.5 });
    const columns = rowColumns([row]);
    expect(columns.indexOf('score_error_near_data')).toBe(columns.indexOf('score_error') + 1);
    expect(columns).toContain('swap_exact_in_near_prior_sinkhorn');
    // A vp-vs-pbm row keeps results.csv's columns as they were.
    expect(rowColumns([cellRow(syntheticRecord({ ...spec, study: 'vp-vs-pbm' }))])).toEqual(ROW_COLUMNS);
    expect(bandSwapMarkdown([row])).toContain('exact in near_prior');
    // The score error per band, after the overall one, from the data end to the prior end.
    const bandsText = bandScoreErrorMarkdown([row]);
    expect(bandsText).toMatch(/\| seeds \| overall \| near_data \| middle \| near_prior \|/);
    expect(bandsText).toMatch(/^\| gmm \| 2 \| pbm \| 8 \| 1 \| [^|]+ \| 0\.1 \| 0\.2 \| 0\.3 \|$/m);
    expect(bandScoreErrorMarkdown([cellRow(syntheticRecord({ ...spec, study: 'vp-vs-pbm' }))])).toBe('');
  });

  it('sums the job hours by width: training (earlier attempts included), band swaps, the rest', () => {
    const spec: CellSpec = { study: 'budget', key: { target: 'gmm', dim: 2, process: 'vp', width: 8, seed: 0 }, recipe: TEST_RECIPE };
    const base = syntheticRecord(spec);
    const timed = (width: number, train: number, total: number, earlier?: number, swaps?: number) => ({
      ...base,
      spec: { ...spec, key: { ...spec.key, width } },
      train: { ...base.train, ...(earlier !== undefined ? { earlierAttemptsSeconds: earlier } : {}) },
      ...(swaps !== undefined ? { bandSwapSeconds: swaps, bandSwaps: [] } : {}),
      seconds: { ...base.seconds, wall: { ...base.seconds.wall, train, total } },
    });
    const rows = [timed(8, 1800, 3600), timed(8, 3600, 7200, 1800, 1800), timed(16, 360, 720)].map(cellRow);
    const text = computeMarkdown(rows);
    expect(text).toContain('3 finished cells took 3.70 h of job time');
    expect(text).toContain('included: 0.50 h of it');
    // width, cells, job hours, training, band swaps, the rest.
    expect(text).toContain('| 16 | 1 | 0.20 | 0.10 | 0.00 | 0.10 |');
    expect(text).toContain('| 8 | 2 | 3.50 | 2.00 | 0.50 | 1.00 |');
    expect(text).toContain('| all | 3 | 3.70 | 2.10 | 0.50 | 1.10 |');
  });

  it('keeps every process and style in each chart, so colours and dashes mean the same in all', () => {
    const spec: CellSpec = { study: 'budget', key: { target: 'gmm', dim: 2, process: 'vp', width: 8, seed: 0 }, recipe: TEST_RECIPE };
    const vp = syntheticRecord(spec, 1);
    // VP's MMD^2 estimates at or below 0 (at the floor): no point to draw on a log axis.
    const vpAtFloor = { ...vp, model: { ...vp.model, metrics: { ...vp.model.metrics, mmd: -0.001 } }, oracle: { ...vp.oracle, metrics: { ...vp.oracle.metrics, mmd: -0.002 } } };
    const pbm = syntheticRecord({ ...spec, key: { ...spec.key, process: 'pbm' } }, 2);
    const charts = budgetCharts([cellRow(vpAtFloor), cellRow(pbm)]);
    const mmd = charts.find((c) => c.title.includes('MMD'))!;
    expect(mmd.series.map((s) => [s.label, s.style, s.x.length])).toEqual([
      ['VP', 'network', 0],
      ['VP', 'oracle', 0],
      ['PBM', 'network', 1],
      ['PBM', 'oracle', 1],
    ]);
    const { seriesOrder, styleOrder } = lineData(mmd);
    expect(seriesOrder).toEqual(['VP', 'PBM']);
    expect(styleOrder).toEqual(['network', 'oracle']);
    // A chart with no point at all is left out.
    const bothAtFloor = { ...pbm, model: vpAtFloor.model, oracle: vpAtFloor.oracle };
    expect(budgetCharts([cellRow(vpAtFloor), cellRow(bothAtFloor)]).some((c) => c.title.includes('MMD'))).toBe(false);
  });

  it('draws the loss curves the rule read, one line per width, at the chunk ends', () => {
    const spec: CellSpec = { study: 'budget', key: { target: 'gmm', dim: 2, process: 'vp', width: 8, seed: 0 }, recipe: TEST_RECIPE };
    const base = syntheticRecord(spec);
    const stop = { reason: 'cap' as const, step: 30, smoothedLoss: 1, improvement: null, cap: 30, chunkSteps: 10, chunkLosses: [100, 10, 1] };
    const seed1 = { ...base, spec: { ...spec, key: { ...spec.key, seed: 1 } }, train: { ...base.train, stop: { ...stop, chunkLosses: [100, 10] } } };
    const [chart] = lossCurveCharts([{ ...base, train: { ...base.train, stop } }, seed1]);
    expect(chart!.series).toEqual([{ label: 'width 8', style: 'loss', x: [10, 20, 30], y: [2, 1, 0] }]);
  });
});

describe('the threshold summary', () => {
  // Widths with 100, 1000, 10000 parameters; oracle Sinkhorn 1; per seed the model reaches 2x at different sizes.
  const rows: Row[] = [];
  const sinkhorn: Record<number, number[]> = { 0: [5, 1.5, 1.1], 1: [5, 3, 1.9], 2: [5, 3, 2.5] };
  for (const seed of [0, 1, 2]) {
    [100, 1000, 10000].forEach((parameters, k) =>
      rows.push({ target: 'gmm', dim: 10, process: 'vp', width: 8 << k, seed, parameters, model_sinkhorn: sinkhorn[seed]![k]!, oracle_sinkhorn: 1, score_error: 0.1 / 10 ** k }),
    );
  }
  const [bySinkhorn, byScore] = criteria(BUDGET_THRESHOLDS);

  it('finds each seed its smallest parameter count within the threshold, and the spread over seeds', () => {
    const perSeed = thresholdPerSeed(rows, bySinkhorn!.test);
    expect([...perSeed.entries()]).toEqual([[0, 1000], [1, 10000], [2, null]]);
    expect(thresholdSpread(perSeed)).toEqual({ seeds: 3, reached: 2, min: 1000, median: 10000, max: null });
    // Score error 0.1, 0.01, 0.001 against 0.01: every seed at 1000.
    expect(thresholdSpread(thresholdPerSeed(rows, byScore!.test))).toEqual({ seeds: 3, reached: 3, min: 1000, median: 1000, max: 1000 });
  });

  it('writes one line per target, dimension and process, "not reached" where no seed got there', () => {
    const text = thresholdMarkdown([...rows, ...rows.map((r) => ({ ...r, process: 'pbm', model_sinkhorn: 9, score_error: 1 }))], BUDGET_THRESHOLDS);
    expect(text).toContain('| target | d | process | seeds (cells) |');
    expect(text).toContain("| gmm | 10 | VP | 3 (9) | 10000 (1000 to not reached); 1 of 3 seeds not reached | 1000 (1000 to 1000) |");
    expect(text).toContain('| gmm | 10 | PBM | 3 (9) | not reached | not reached |');
    expect(text).toContain('fixed before the runs');
  });

  it('puts the processes side by side per width, widest first: Sinkhorn over the oracle, score error, stop step, over seeds', () => {
    const stopped = (r: Row) => ({ ...r, train_steps: 100 * Number(r['width']) + 10 * Number(r['seed']), oracle_sinkhorn: r['seed'] === 2 ? 2 : 1 });
    const pbm = rows.map((r) => ({ ...r, process: 'pbm', model_sinkhorn: 8, score_error: 0.5 }));
    const text = widthMarkdown([...pbm, ...rows].map(stopped));
    expect(text).toContain('**gmm, d = 10**');
    expect(text).toContain('| width | parameters | seeds | VP Sinkhorn / oracle | PBM Sinkhorn / oracle | VP score error | PBM score error | VP stopped at | PBM stopped at |');
    // Width 32 (10000 parameters): VP's ratios per seed 1.1, 1.9, 2.5 / 2 = 1.25 (mean 1.417, std 0.425); PBM's 8, 8, 4.
    const lines = text.split('\n').filter((l) => /^\| \d/.test(l));
    expect(lines[0]).toBe('| 32 | 10000 | 3 | 1.42 ± 0.425 | 6.67 ± 2.31 | 1e-3 ± 0 | 0.5 ± 0 | 3210 ± 10 | 3210 ± 10 |');
    expect(lines.map((l) => l.split(' | ')[0])).toEqual(['| 32', '| 16', '| 8']);
  });
});

describe('bandSwapScore', () => {
  const target = createTarget('gmm', { dim: 2, components: 3 });
  const exact = oracleScoreFunction(target);
  const path = createProcess('vp');
  let network: ScoreFunction;
  let x: tf.Tensor2D;
  beforeAll(async () => {
    await useWasm();
    const backbone = createMlp({ kind: 'mlp', dim: 2, width: 16, depth: 1, activation: 'silu', timeFrequencies: 4, maxFrequency: 8 }, Rng.fromSeed(1));
    const net: ScoreNetwork = { backbone, parameterisation: 'noise', dataStd: target.dataStd };
    network = networkScoreFunction(net);
    x = tf.tensor2d([0.3, -1.2, 2, 0.5, -0.7, 0.1], [3, 2]);
  });
  const at = (score: ScoreFunction, tau: number) => score(x, tau, path.coefficients(tau)).dataSync();

  it('uses the exact score inside the band and the network outside (and the reverse)', () => {
    const band = { lo: 0.3, hi: 0.6 };
    const swapped = bandSwapScore(network, exact, band);
    const reverse = bandSwapScore(exact, network, band);
    for (const tau of [0.1, 0.29, 0.3, 0.45, 0.6, 0.9]) {
      const inside = tau >= 0.3 && tau < 0.6;
      expect(Array.from(at(swapped, tau))).toEqual(Array.from(at(inside ? exact : network, tau)));
      expect(Array.from(at(reverse, tau))).toEqual(Array.from(at(inside ? network : exact, tau)));
    }
    expect(Array.from(at(exact, 0.45))).not.toEqual(Array.from(at(network, 0.45)));
  });

  it('with an empty band is the network, byte for byte', () => {
    const same = bandSwapScore(network, exact, { lo: 0.5, hi: 0.5 });
    for (const tau of [0.01, 0.5, 0.99]) expect(Buffer.from(at(same, tau).buffer)).toEqual(Buffer.from(at(network, tau).buffer));
  });
});
