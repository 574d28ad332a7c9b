import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { describeBackbone } from '../../models/index.js';
import { dataRangeOf } from '../../datasets/sources.js';
import { initBackend } from '../platform/backend.js';
import { EXPORT_DEFAULTS } from '../config/export-defaults.js';
import { printJsonSummary } from './json-summary.js';
import { resolveSampling, samplingRecipe } from '../config/sampling.js';
import { refuseSolverFlags, resolveSamplingOrRefuse } from './solver-flags.js';
import { processFromConfig } from '../run/build.js';
import { readRunConfig } from '../run/run-dir.js';
import { exportBundle } from '../bundle/export.js';
import { WEIGHT_FORMATS, type WeightFormat } from '../bundle/format.js';
import type { ExportCommandRequest } from './export-request.js';
import { acquireLock, besideLockPath } from '../io/dir-lock.js';
import { checkOutPlace, makeDir } from '../io/out-place.js';

const PRODUCER = 'score-sde 0.1.0';

/** `npm run export`: a run's network as a bundle. Fast (one file read, a few written): no progress bar. */
export async function exportCommand(f: ExportCommandRequest): Promise<number> {
  // The bundle's folder is locked from beside it (the folder itself holds only the bundle's files); refused early where it cannot be made.
  if (!fs.existsSync(f.out)) checkOutPlace(f.out, '--out');
  makeDir(path.dirname(path.resolve(f.out)), '--out');
  const lock = acquireLock(besideLockPath(f.out), f.out, 'npm run export');
  try {
    return await exportLocked(f);
  } finally {
    lock.release();
  }
}

/** exportCommand, holding the bundle folder's lock. */
async function exportLocked(f: ExportCommandRequest): Promise<number> {
  const startedAt = performance.now();
  // Only to rebuild the network and check the weights' shapes; no arithmetic.
  await initBackend('cpu');
  const format = f.format ?? EXPORT_DEFAULTS.format;
  const formats: WeightFormat[] = format === 'all' ? [...WEIGHT_FORMATS] : [format];
  const weights = f.weights ?? EXPORT_DEFAULTS.weights;
  // The sampler settings `npm run sample` would use on the run (images: smaller batches, fewer steps, the corrector).
  const run = readRunConfig(f.run, '--run');
  const target = { name: run.target.name, dataRange: dataRangeOf(run.target.name) };
  const path = processFromConfig(run);
  const sampling = f.sampling ?? {};
  refuseSolverFlags(sampling, sampling.solver ?? samplingRecipe(target.name).solver, path);
  const { settings } = resolveSamplingOrRefuse(sampling, { target, process: path, seed: run.train.seed });
  const result = exportBundle({
    runDir: f.run,
    outDir: f.out,
    formats,
    weights,
    sampler: settings,
    producer: PRODUCER,
  });
  const { config } = result;
  const b = config.network.backbone;
  console.log(
    `exported ${weights} weights at step ${config.source.step} of ${f.run}: ${describeBackbone(b)}, ` +
      `${config.network.parameterisation} prediction, process ${config.process.name}, target ${config.target.name}`,
  );
  for (const [name, bytes] of Object.entries(result.files)) console.log(`  ${result.outDir}/${name}  ${bytes.toLocaleString('en-US')} bytes`);
  console.log(`sample it with  npm run sample -- --bundle ${result.outDir}`);
  if (f.json) {
    printJsonSummary({
      status: 'completed',
      run_dir: f.run,
      bundle_dir: result.outDir,
      format_version: config.formatVersion,
      formats,
      weights,
      step: config.source.step,
      files: result.files,
      wall_seconds: (performance.now() - startedAt) / 1000,
    });
  }
  tf.disposeVariables();
  return 0;
}
