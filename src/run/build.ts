import { createDataSource } from '../../datasets/sources.js';
import { hasExactScore, type DataSource, type Target } from '../../datasets/target.js';
import { createBackbone, type Backbone } from '../../models/index.js';
import { backboneConfig, type RunConfig } from '../config/run-config.js';
import { UsageError } from '../errors.js';
import { processFromParams, type GaussianPath } from '../process/index.js';
import { Rng } from '../rng.js';
import { RNG_STREAMS } from '../rng-streams.js';
import type { ScoreNetwork } from '../score-network.js';

export interface RunParts<T extends DataSource = Target> {
  /** The training data: a Target (exact scores) or, from buildRunParts, possibly sample-only data (images). */
  target: T;
  path: GaussianPath;
  backbone: Backbone;
  net: ScoreNetwork;
}

export function processFromConfig(config: RunConfig): GaussianPath {
  return processFromParams(config.process.name, config.process.params, 'config.json');
}

/**
 * The target of a command that needs exact scores (oracle sampling,
 * diagnostics, score errors); `what` names the flag and value, e.g.
 * "--oracle" or "--run DIR". Image data has none: a one-line UsageError.
 */
export function requireExactTarget(source: DataSource, what: string, needs = 'an exact score'): Target {
  if (!hasExactScore(source)) throw new UsageError(`${what}: target ${source.name} has no exact score (${needs} is needed)`);
  return source;
}

function targetFromConfig(config: RunConfig): DataSource {
  try {
    return createDataSource(config.target.name, config.target.options);
  } catch (err) {
    if (err instanceof UsageError) throw err;
    const why = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new UsageError(`config.json: target '${config.target.name}' with options ${JSON.stringify(config.target.options)} is invalid (${why})`);
  }
}

/**
 * Rebuilds data source, process and a freshly initialised network from a run config (any
 * target). A caller that has just built the source for this config (a new run) hands it on
 * as `source`, so the data is not read twice.
 */
export function buildRunParts(config: RunConfig, source: DataSource = targetFromConfig(config)): RunParts<DataSource> {
  return partsWith(source, config);
}

function partsWith<T extends DataSource>(target: T, config: RunConfig): RunParts<T> {
  const path = processFromConfig(config);
  const { parameterisation, dataStd } = config.model;
  const backbone = createBackbone(backboneConfig(config.model), Rng.derive(config.train.seed, RNG_STREAMS.init));
  return { target, path, backbone, net: { backbone, parameterisation, dataStd } };
}

/** The same for a run whose target has exact scores; a run on image data is refused (config.json: target mnist has no exact score). */
export function buildRun(config: RunConfig, what = 'config.json'): RunParts<Target> {
  // Checked before the network is built, so nothing is left to dispose.
  return partsWith(requireExactTarget(targetFromConfig(config), what), config);
}
