/**
 * The public API for Node: the browser API of src/public/ with bundles read
 * from directories on disk.
 *
 *   import { loadScoreModel, sample } from 'score-sde';   // in this checkout: './src/api.js'
 *   const model = await loadScoreModel('checkpoints/grid9-bundle');
 */
import * as tf from '@tensorflow/tfjs-core';
import { loadScoreModelFrom, type LoadOptions } from './bundle/load.js';
import { initBackend } from './platform/backend.js';
import { directoryReader } from './bundle/node-reader.js';
import type { BundleReader } from './bundle/reader.js';
import type { ScoreModel } from './bundle/score-model.js';

export {
  sample,
  samplerSettings,
  sampleWithCost,
  SOLVER_NAMES,
  GRID_NAMES,
  BundleError,
  BUNDLE_FILES,
  BUNDLE_FORMAT_VERSION,
  fetchReader,
  loadScoreModelFrom,
  parseBundleConfig,
  type SampleOptions,
  type SamplerRequest,
  type SamplerSettings,
  type SolverName,
  type GridName,
  type SamplingOutcome,
  type ScoreModel,
  type BundleConfig,
  type BundleReader,
  type LoadOptions,
  type GaussianPath,
} from './public/index.js';
export { directoryReader } from './bundle/node-reader.js';
export { initBackend, describeBackend, BACKEND_CHOICES, type BackendChoice, type BackendOptions, type ActiveBackend } from './platform/backend.js';

/**
 * Loads a bundle from a directory (or any reader). With no TensorFlow.js backend set yet, it
 * selects one as the commands do (`auto`: a GPU where one loads, else multithreaded wasm); a
 * backend set before (initBackend, tf.setBackend) is kept.
 */
export async function loadScoreModel(bundle: string | BundleReader, options: LoadOptions = {}): Promise<ScoreModel> {
  if (!tf.engine().backendName) await initBackend('auto');
  return loadScoreModelFrom(typeof bundle === 'string' ? directoryReader(bundle) : bundle, options);
}
