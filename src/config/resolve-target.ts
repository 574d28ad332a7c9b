import * as path from 'node:path';
import type { DataSource, DataSourceName } from '../../datasets/index.js';
import { createDataSource, resolveDataSourceOptions } from '../../datasets/sources.js';
import { UsageError } from '../errors.js';
import type { RunConfig } from './run-config.js';
import { trainSettings } from './settings.js';
import { flagOf, type TrainRequest, type TrainRequestKey } from './train-request.js';

/** The request keys each target takes, under its own option name; the target's schema fills in the defaults. */
const TARGET_OPTIONS: Partial<Record<DataSourceName, Partial<Record<TrainRequestKey, string>>>> = {
  funnel: { dim: 'dim' },
  gmm: { dim: 'dim', components: 'components', targetSeed: 'seed' },
  gaussian: { dim: 'dim', std: 'std' },
  'two-point': { dim: 'dim', mu: 'mu' },
  mnist: { dataDir: 'dataDir', subset: 'subset' },
};

export interface ResolvedTarget {
  /** What the run's config records. */
  record: RunConfig['target'];
  /** The data, built from the recorded options. */
  source: DataSource;
}

/**
 * The target of a new run: its options from the request (a target option
 * that does not apply to it is an error, not ignored), with their defaults
 * filled in, and the data source they build.
 */
export function resolveTarget(request: TrainRequest, name: DataSourceName, seed: number): ResolvedTarget {
  const takes = TARGET_OPTIONS[name] ?? {};
  // The gmm's means are drawn from the run's seed unless --target-seed says otherwise.
  const options: Record<string, unknown> = name === 'gmm' ? { seed } : {};
  for (const [key, setting] of trainSettings()) {
    if (setting.resume !== 'fixed' || setting.part !== 'target') continue;
    const option = takes[key];
    const given = request[key];
    if (given === undefined) continue;
    if (option === undefined) throw new UsageError(`${flagOf(key)} ${given}: does not apply to --target ${name}`);
    // A data folder is recorded absolute, so the run resumes and samples from any working directory.
    options[option] = key === 'dataDir' ? path.resolve(String(given)) : given;
  }
  const resolved = resolveDataSourceOptions(name, options);
  const source = createDataSource(name, resolved);
  return { record: { name, options: resolved, params: source.params, dim: source.dim }, source };
}
