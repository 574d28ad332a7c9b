import { createTargetFromConfig } from '../../datasets/index.js';
import type { Target } from '../../datasets/target.js';
import { createBackbone, type Backbone } from '../../models/index.js';
import type { RunConfig } from '../config.js';
import { UsageError } from '../errors.js';
import { createProcess, type GaussianPath } from '../process/index.js';
import { Rng } from '../rng.js';
import type { ScoreNetwork } from '../score-network.js';

/** Key of the weight-initialisation stream. */
export const INIT_STREAM = 3;

export interface RunParts {
  target: Target;
  path: GaussianPath;
  backbone: Backbone;
  net: ScoreNetwork;
}

export function processFromConfig(config: RunConfig): GaussianPath {
  const p = config.process.params;
  return createProcess(config.process.name, {
    betaMin: p['beta_min'],
    betaMax: p['beta_max'],
    sigma: p['sigma'],
    tauMin: p['tau_min'],
    tauMax: p['tau_max'],
  });
}

function targetFromConfig(config: RunConfig): Target {
  try {
    return createTargetFromConfig(config.target.name, config.target.options);
  } catch (err) {
    const why = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new UsageError(`config.json: target '${config.target.name}' with options ${JSON.stringify(config.target.options)} is invalid (${why})`);
  }
}

/** Rebuilds target, process and a freshly initialised network from a run config. */
export function buildRun(config: RunConfig): RunParts {
  const target = targetFromConfig(config);
  const path = processFromConfig(config);
  const { parameterisation, dataStd, ...architecture } = config.model;
  const backbone = createBackbone(architecture, Rng.derive(config.train.seed, INIT_STREAM));
  return { target, path, backbone, net: { backbone, parameterisation, dataStd } };
}
