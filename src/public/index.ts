/**
 * The browser-safe public API: load an exported bundle and sample from it.
 * Nothing on this path imports a Node-only module (test/bundle.test.ts checks
 * by bundling it for the browser). Initialise a tfjs backend before loading.
 * The package exports it as 'score-sde/browser'.
 *
 *   const model = await loadScoreModel('bundles/grid9/');
 *   const s = model.score(x, 0.5);                   // s(x, tau), x: [n, dim]
 *   const xs = await sample(model, { n: 1000, steps: 200 });
 *   const { samples, nfe } = await sampleWithCost(model, { n: 1000, solver: 'heun', nfe: 35 });
 *   samplerSettings(model, { steps: 200 });         // the full settings that call used
 *   await sample(model, { n: 100, onFrame: (x, tau) => draw(x), frameEvery: 10 });  // watch it move
 *   await loadScoreModel(filesReader(input.files));  // a folder picked with <input type="file" webkitdirectory>
 */
import { loadScoreModelFrom, type LoadOptions } from '../bundle/load.js';
import { fetchReader, type BundleReader } from '../bundle/reader.js';
import type { ScoreModel } from '../bundle/score-model.js';

export { sample, samplerSettings, sampleWithCost, type SampleOptions, type ScoreModel } from '../bundle/score-model.js';
export { SOLVER_NAMES, type SolverName } from '../sampler/solvers.js';
export { GRID_NAMES, type GridName } from '../sampler/noise-grid.js';
export type { SamplerFrames, SamplingOutcome } from '../sampler/reverse-sde.js';
export type { SamplerRequest, SamplerSettings } from '../sampler/settings.js';
export { BundleError } from '../bundle/errors.js';
export { BUNDLE_FILES, BUNDLE_FORMAT_VERSION, type BundleConfig } from '../bundle/format.js';
export { fetchReader, filesReader, type BundleReader, type PickedFile } from '../bundle/reader.js';
export { loadScoreModelFrom, parseBundleConfig, type LoadOptions } from '../bundle/load.js';
export type { GaussianPath } from '../process/index.js';

/** Loads a bundle from its folder URL (relative to the page) or from any reader. */
export function loadScoreModel(bundle: string | URL | BundleReader, options: LoadOptions = {}): Promise<ScoreModel> {
  const reader = typeof bundle === 'string' || bundle instanceof URL ? fetchReader(bundle) : bundle;
  return loadScoreModelFrom(reader, options);
}
