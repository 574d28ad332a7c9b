import { createDataSource } from '../../datasets/sources.js';
import type { DataSource } from '../../datasets/target.js';
import { loadScoreModelFrom } from './load.js';
import { BundleError } from './errors.js';
import { BUNDLE_FILES } from './format.js';
import { directoryReader } from './node-reader.js';
import type { ScoreModel } from './score-model.js';

export interface BundleForSampling {
  model: ScoreModel;
  target: DataSource;
  /** For metrics.json, e.g. "ema weights at step 4000 (bundle /tmp/b)". */
  scoreSource: string;
}

/** What `npm run sample -- --bundle` needs: the model and its target, rebuilt from the description. */
export async function openBundleForSampling(dir: string, weightsFlag: 'ema' | 'raw' | undefined): Promise<BundleForSampling> {
  const model = await loadScoreModelFrom(directoryReader(dir));
  const { source, target: t } = model.config;
  if (weightsFlag !== undefined && weightsFlag !== source.weights) {
    model.dispose();
    throw new BundleError(`--weights ${weightsFlag}: the bundle ${dir} holds only the ${source.weights} weights; export again with --weights ${weightsFlag}`);
  }
  let target: DataSource;
  try {
    target = createDataSource(t.name, t.options);
  } catch (err) {
    model.dispose();
    const why = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new BundleError(`${dir}/${BUNDLE_FILES.config}: target '${t.name}' cannot be rebuilt by this build (${why})`);
  }
  return { model, target, scoreSource: `${source.weights} weights at step ${source.step} (bundle ${dir})` };
}
