import * as fs from 'node:fs';
import * as path from 'node:path';
import { hasExactScore, isImageSource } from '../../datasets/target.js';
import { snapshotRecipe } from '../config/snapshot-defaults.js';
import { resolveSampling } from '../config/sampling.js';
import type { RunConfig } from '../config/run-config.js';
import { writeFileAtomicSync } from '../io/atomic.js';
import { encodeNpy } from '../io/npy.js';
import { encodeImageGrid } from '../io/png-grid.js';
import { Rng } from '../rng.js';
import { RNG_STREAMS } from '../rng-streams.js';
import { sampleReverseSde } from '../sampler/reverse-sde.js';
import { networkScoreFunction } from '../sampler/score-function.js';
import type { SamplerSettings } from '../sampler/settings.js';
import { withEmaWeights } from '../train/ema-weights.js';
import { renderSamplesPlot } from './plot-samples.js';
import { dataRangeOf } from '../../datasets/sources.js';
import { processFromConfig } from './build.js';
import { SNAPSHOT_DIR, snapshotFiles } from './snapshot-files.js';
import type { TrainingRun } from './training-run.js';

/** How a run's snapshots are drawn: the recipe's size, and a sampler seed from the run's own snapshot stream. */
export interface SnapshotPlan {
  n: number;
  settings: SamplerSettings;
}

export function snapshotPlan(config: RunConfig): SnapshotPlan {
  const recipe = snapshotRecipe(config.target.name);
  // Its own stream: the snapshots never draw the numbers of training, of the evaluation or of the references.
  const seed = Rng.derive(config.train.seed, RNG_STREAMS.snapshot).int(2 ** 31 - 1);
  const target = { name: config.target.name, dataRange: dataRangeOf(config.target.name) };
  const { settings } = resolveSampling(
    { n: recipe.n, steps: recipe.steps, batchSize: recipe.batchSize, corrector: { steps: 0 } },
    { target, process: processFromConfig(config), seed },
  );
  return { n: recipe.n, settings };
}

/**
 * Samples the EMA weights at `step` (the training weights are put back after) and writes
 * snapshots/step-<step>.png and .npy. Point targets: the samples plot over the target (as the
 * evaluation draws it); images: a grid of the images.
 */
export async function writeSnapshot(run: TrainingRun, step: number, plan: SnapshotPlan): Promise<{ png: string; npy: string }> {
  const { target, path: gaussianPath, net } = run.parts;
  const samples = await withEmaWeights(run.state, () => sampleReverseSde(gaussianPath, networkScoreFunction(net), plan.n, target.dim, plan.settings));
  let png: Uint8Array;
  if (isImageSource(target)) {
    png = encodeImageGrid(samples, plan.n, { height: target.height, width: target.width, columns: 4, rows: 4 }).png;
  } else if (hasExactScore(target)) {
    const reference = target.sample(plan.n, Rng.derive(plan.settings.seed, RNG_STREAMS.reference, 0));
    png = await renderSamplesPlot(target, Float64Array.from(samples), reference, `step ${step}: ${plan.n} samples of the EMA weights`);
  } else {
    throw new Error(`snapshot: target ${target.name} is neither an image source nor a target with exact scores`);
  }
  const files = snapshotFiles(run.dir, step);
  fs.mkdirSync(path.join(run.dir, SNAPSHOT_DIR), { recursive: true });
  writeFileAtomicSync(files.npy, encodeNpy(samples, [plan.n, target.dim]));
  writeFileAtomicSync(files.png, png);
  return files;
}
