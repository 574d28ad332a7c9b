import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { parameterCount } from '../../models/index.js';
import { samplesDir } from '../run/evaluation-label.js';
import { writeFileAtomicSync } from '../io/atomic.js';
import { scoreErrorCurve } from '../metrics/score-error.js';
import { buildRun, type RunParts } from '../run/build.js';
import { evaluate, type EvaluationResult } from '../run/evaluate.js';
import { pointsResult } from '../run/evaluation.js';
import { writeRunConfig } from '../run/run-dir.js';
import { evaluateEma, openTrainingRun, trainRun } from '../run/training-run.js';
import { loggedTrainingSeconds } from '../train/log.js';
import { killBeforeBandSwapIfAsked } from '../train/test-hooks.js';
import type { SamplerSettings } from '../sampler/settings.js';
import { oracleScoreFunction, type ScoreFunction } from '../sampler/score-function.js';
import { bandSwapScore, type TauBand } from '../sampler/band-swap.js';
import { convergenceDecision } from './convergence.js';
import { bandAverages, tauBands } from './tau-bands.js';
import { CELL_FILES, CELL_FORMAT, CELL_FORMAT_VERSION, readBandSwapsSoFar, writeBandSwapsSoFar, writeCellRecord, type BandSwapSummary, type CellRecord, type EvaluationSummary } from './cell-record.js';
import { cellRunConfig, cellSampler, cellScoreTaus } from './cell-settings.js';
import { cellId, takesBandSwap, type CellSpec } from './grid.js';
import { copyOracle, lookupOracle, publishOracle } from './oracle-cache.js';

export const CELL_PHASES = ['train', 'model', 'oracle', 'score-error', 'band-swap'] as const;
export type CellPhase = (typeof CELL_PHASES)[number];

export interface CellContext {
  /** The backend already initialised in this process, and its threads (recorded, not used). */
  backend: string;
  threads: number;
  /** Where oracle runs are shared between widths; null: always sample the oracle. */
  oracleCacheDir: string | null;
  /** Phase changes, and training steps within 'train' (of the cap; its end reported as done = total = the last step). */
  onPhase?(phase: CellPhase, done: number, total: number): void;
  /**
   * Go on from the checkpoint in `dir` (a cell cut off before). Resumed training equals
   * uninterrupted training, so this does not change a cell's results.
   */
  resume?: boolean;
}

/** A clock of wall and CPU seconds (CPU: this process, all threads). */
function stopwatch() {
  const wall = performance.now();
  const cpu = process.cpuUsage();
  return () => {
    const used = process.cpuUsage(cpu);
    return { wall: (performance.now() - wall) / 1000, cpu: (used.user + used.system) / 1e6 };
  };
}

function summarise(result: EvaluationResult, cellDir: string): EvaluationSummary {
  return {
    metrics: { ...result.metrics },
    floor: { ...result.floor },
    sinkhornConverged: result.sinkhornConverged,
    samplingSeconds: result.samplingSeconds,
    metricSeconds: result.metricSeconds,
    dir: path.relative(cellDir, result.outDir),
  };
}

/** The exact-score sampler on the cell's settings, shared between widths when a cache is given. */
async function oracleEvaluation(
  parts: RunParts,
  sampler: SamplerSettings,
  n: number,
  cellDir: string,
  cacheDir: string | null,
): Promise<EvaluationSummary & { reused: boolean }> {
  const outDir = samplesDir(cellDir, 'oracle', n, sampler.steps, sampler.seed);
  const key = { target: { name: parts.target.name, params: parts.target.params }, process: { name: parts.path.name, params: parts.path.params }, sampler, n };
  if (cacheDir !== null) {
    const cached = lookupOracle<EvaluationSummary>(cacheDir, key);
    if (cached !== null) {
      copyOracle(cacheDir, outDir);
      return { ...cached, reused: true };
    }
  }
  const result = await evaluate({
    target: parts.target,
    path: parts.path,
    score: oracleScoreFunction(parts.target),
    scoreSource: 'oracle (exact score)',
    n,
    sampler,
    outDir,
    // The cell is its sweep's alone: an oracle sampling left by a cell cut off before its record is redone.
    replaceOutDir: true,
  });
  const summary = summarise(result, cellDir);
  if (cacheDir !== null) publishOracle(outDir, cacheDir, key, summary);
  return { ...summary, reused: false };
}

/**
 * One cell, in this process: train (a full run directory, as `npm run train` writes it), sample
 * and evaluate the EMA network, the exact-score sampler with the same steps, and the score error
 * on a tau grid. cell.json is written last; a directory without it is an unfinished cell.
 * The directory must be new or empty, or with `resume` an unfinished cell's with its checkpoint.
 */
export async function runCell(spec: CellSpec, dir: string, ctx: CellContext): Promise<CellRecord> {
  const total = stopwatch();
  const config = { ...cellRunConfig(spec, ctx.backend), threads: ctx.threads };
  fs.mkdirSync(dir, { recursive: true });
  writeRunConfig(dir, config);
  const parts = buildRun(config);
  try {
    const trainClock = stopwatch();
    const run = openTrainingRun(dir, config.train, parts, ctx.resume ?? false);
    // Training time of the earlier attempts (all they logged, the part redone included): compute spent on the cell.
    const earlierSeconds = ctx.resume ? loggedTrainingSeconds(run.log.read()) : null;
    const startStep = run.state.step;
    // Log records after the checkpoint are redone (the same values again).
    if (ctx.resume) run.log.truncateAfter(run.state.step);
    ctx.onPhase?.('train', run.state.step, config.train.steps);
    const rule = spec.recipe.convergence;
    // The rule's decision from the log's chunk records (a cell resumed after its stop trains no further).
    const decide = () => (rule ? convergenceDecision(chunkLosses(run.log.read(), rule.chunkSteps, run.state.step), rule, config.train.steps) : null);
    let stop = decide();
    const outcome =
      stop !== null
        ? ({ status: 'completed', step: run.state.step } as const)
        : await trainRun(run, {
            onStep: ({ step }) => ctx.onPhase?.('train', step, config.train.steps),
            ...(rule ? { shouldStop: () => run.state.step % rule.chunkSteps === 0 && (stop = decide()) !== null } : {}),
          });
    if (outcome.status === 'diverged') {
      const advice = outcome.nonFiniteData ? 'the training data for that step holds NaN or Infinity values' : 'try a smaller --lr';
      throw new Error(`${cellId(spec.key)}: the loss became ${outcome.loss} at step ${outcome.step}; ${advice}`);
    }
    if (outcome.status === 'completed' && rule && stop === null) stop = decide();
    if (outcome.status !== 'completed' && stop === null) throw new Error(`${cellId(spec.key)}: training stopped at step ${outcome.step}`);
    const trainTime = trainClock();
    // Training's end, as "S of S": a cell that stopped early has that much less work.
    ctx.onPhase?.('train', outcome.step, outcome.step);

    // Sample and measure with the EMA weights, as `npm run train` does.
    const sampler = cellSampler(spec, parts.path);
    const n = spec.recipe.evalSamples;

    const modelClock = stopwatch();
    ctx.onPhase?.('model', 0, 1);
    const ema = await evaluateEma(run, outcome.step, { n, sampler, outDir: samplesDir(dir, 'ema', n, sampler.steps, sampler.seed) });
    const model = pointsResult(ema.evaluation);
    const network = ema.score;
    const modelTime = modelClock();

    const oracleClock = stopwatch();
    ctx.onPhase?.('oracle', 0, 1);
    const oracle = await oracleEvaluation(parts, sampler, n, dir, ctx.oracleCacheDir);
    const oracleTime = oracleClock();

    const scoreClock = stopwatch();
    ctx.onPhase?.('score-error', 0, 1);
    const taus = cellScoreTaus(spec, parts.path);
    const curve = scoreErrorCurve(parts.target, parts.path, network, { taus, n: spec.recipe.scorePoints, seed: spec.key.seed });
    writeFileAtomicSync(
      path.join(dir, CELL_FILES.scoreError),
      JSON.stringify({ score: ema.scoreSource, process: { name: parts.path.name, ...parts.path.params }, ...curve }, null, 2) + '\n',
    );
    const scoreTime = scoreClock();
    const bands = spec.recipe.tauBands ? tauBands(parts.path.tauMin, parts.path.tauMax, spec.recipe.tauBands) : null;

    const swapClock = stopwatch();
    const swaps = bands && takesBandSwap(spec) ? await bandSwapEvaluations(parts, network, bands, sampler, n, dir, ctx) : null;
    const swapTime = swapClock();

    const lastLog = run.log.read().at(-1);
    const totalTime = total();
    const record: CellRecord = {
      format: CELL_FORMAT,
      formatVersion: CELL_FORMAT_VERSION,
      id: cellId(spec.key),
      spec,
      train: {
        steps: outcome.step,
        parameters: parameterCount(parts.backbone),
        // This attempt's rate; a cell resumed after its stop trained nothing now: its log's last rate.
        stepsPerSecond: outcome.step > startStep ? (outcome.step - startStep) / Math.max(trainTime.wall, 1e-9) : (lastLog?.steps_per_s ?? 0),
        ...(earlierSeconds !== null ? { earlierAttemptsSeconds: earlierSeconds } : {}),
        finalLoss: lastLog?.loss_avg ?? null,
        ...(stop && rule ? { stop: { ...stop, cap: config.train.steps, chunkSteps: rule.chunkSteps, chunkLosses: chunkLosses(run.log.read(), rule.chunkSteps, stop.step) } } : {}),
      },
      model: summarise(model, dir),
      oracle,
      scoreError: {
        average: curve.average,
        averaging: curve.averaging,
        n: curve.n,
        taus: curve.points.map((p) => p.tau),
        errors: curve.points.map((p) => p.error),
        stdErrors: curve.points.map((p) => p.stdError),
        ...(bands ? { bands: bandAverages(curve.points.map((p) => p.tau), curve.points.map((p) => p.error), bands) } : {}),
      },
      ...(swaps ? { bandSwaps: swaps, bandSwapSeconds: swapTime.wall } : {}),
      seconds: {
        wall: { train: trainTime.wall, model: modelTime.wall, oracle: oracleTime.wall, scoreError: scoreTime.wall, total: totalTime.wall },
        cpu: { train: trainTime.cpu, model: modelTime.cpu, oracle: oracleTime.cpu, scoreError: scoreTime.cpu, total: totalTime.cpu },
      },
      backend: ctx.backend,
      threads: ctx.threads,
      completedAt: new Date().toISOString(),
    };
    writeCellRecord(dir, record);
    return record;
  } finally {
    // Cells run one after another in one process: free this one's weights and optimiser state.
    tf.disposeVariables();
  }
}

/** The chunk losses the convergence rule reads: the log's records at whole chunks, up to `step`. */
export function chunkLosses(records: readonly { step: number; loss_avg: number }[], chunkSteps: number, step: number): number[] {
  return records.filter((r) => r.step % chunkSteps === 0 && r.step <= step).map((r) => r.loss_avg);
}

/**
 * For each band, two samplings with the cell's sampler and metrics: the network everywhere but the
 * exact score inside the band ('exact' inside), and the exact score everywhere but the network
 * inside it ('network' inside). How much a band's swap moves the metric from the model's towards
 * the oracle's is that band's share of the sample error.
 */
async function bandSwapEvaluations(
  parts: RunParts,
  network: ScoreFunction,
  bands: readonly (TauBand & { name: string })[],
  sampler: SamplerSettings,
  n: number,
  dir: string,
  ctx: CellContext,
): Promise<BandSwapSummary[]> {
  const exact = oracleScoreFunction(parts.target);
  // A resumed cell keeps the swaps its earlier attempt finished (the same network: resumed training is exact).
  const earlier = ctx.resume ? readBandSwapsSoFar(dir) : [];
  const out: BandSwapSummary[] = [];
  let done = 0;
  for (const band of bands) {
    for (const inside of ['exact', 'network'] as const) {
      killBeforeBandSwapIfAsked(done);
      ctx.onPhase?.('band-swap', done++, 2 * bands.length);
      const kept = earlier.find((s) => s.band === band.name && s.inside === inside && s.lo === band.lo);
      if (kept) {
        out.push(kept);
        continue;
      }
      const score = inside === 'exact' ? bandSwapScore(network, exact, band) : bandSwapScore(exact, network, band);
      const result = await evaluate({
        target: parts.target,
        path: parts.path,
        score,
        scoreSource: `${inside} score for tau in [${band.lo}, ${band.hi}), ${inside === 'exact' ? 'network' : 'exact'} elsewhere`,
        n,
        sampler,
        outDir: samplesDir(dir, `swap-${inside}-in-${band.name}`, n, sampler.steps, sampler.seed),
        // A swap a cut-off attempt left unrecorded is redone.
        replaceOutDir: true,
      });
      out.push({ band: band.name, lo: band.lo, hi: Number.isFinite(band.hi) ? band.hi : null, inside, ...summarise(result, dir) });
      writeBandSwapsSoFar(dir, out);
    }
  }
  return out;
}
