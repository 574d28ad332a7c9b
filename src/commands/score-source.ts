import type { DataSource } from '../../datasets/target.js';
import type { BackboneConfig } from '../../models/backbone.js';
import { openBundleForSampling } from '../bundle/sample-source.js';
import { backboneConfig } from '../config/run-config.js';
import type { WeightChoice } from '../config/sample-defaults.js';
import { UsageError } from '../errors.js';
import { describeBackend, initBackend, type BackendChoice } from '../platform/backend.js';
import type { GaussianPath } from '../process/index.js';
import { buildRunParts } from '../run/build.js';
import { hasCheckpoint, readRunConfig, RUN_FILES } from '../run/run-dir.js';
import { networkScoreFunction, type ScoreFunction } from '../sampler/score-function.js';
import { loadWeights } from '../train/state.js';

/** Where a command's score comes from: a run directory or an exported bundle (`sample`, `likelihood`). */
export interface ScoreSource {
  backend: string;
  target: DataSource;
  path: GaussianPath;
  /** The run's or bundle's directory: home of the default output folder. */
  dir: string;
  defaultSeed: number;
  /** ema or raw: names the default output folder. */
  weightsLabel: string;
  /** The network's architecture (for the memory estimate). */
  network: BackboneConfig;
  /** Loads the network's weights (after the flags are checked) and describes them. */
  loadNetwork(): { score: ScoreFunction; scoreSource: string };
}

/** The flags that pick the source: exactly one of run and bundle (the CLI checks it). */
export interface ScoreSourceRequest {
  run?: string | undefined;
  bundle?: string | undefined;
  /** With the exact score, a run needs no checkpoint. */
  oracle: boolean;
  weights?: WeightChoice | undefined;
  backend?: BackendChoice | undefined;
  threads?: number | undefined;
}

/** Each command's defaults of the flags left out. */
export interface ScoreSourceDefaults {
  backend: BackendChoice;
  weights: WeightChoice;
}

async function initAndReportBackend(f: ScoreSourceRequest, defaults: ScoreSourceDefaults): Promise<string> {
  const backend = await initBackend(f.backend ?? defaults.backend, { threads: f.threads });
  console.log(describeBackend(backend));
  return backend.name;
}

async function runSource(f: ScoreSourceRequest, run: string, defaults: ScoreSourceDefaults): Promise<ScoreSource> {
  const config = readRunConfig(run, '--run');
  if (!f.oracle && !hasCheckpoint(run)) {
    throw new UsageError(`--run ${run}: no ${RUN_FILES.checkpoint} yet (training wrote no checkpoint); use --oracle or train first`);
  }
  const backend = await initAndReportBackend(f, defaults);
  const parts = buildRunParts(config);
  const weights = f.weights ?? defaults.weights;
  return {
    backend,
    target: parts.target,
    path: parts.path,
    dir: run,
    defaultSeed: config.train.seed,
    weightsLabel: weights,
    network: backboneConfig(config.model),
    loadNetwork: () => {
      const step = loadWeights(run, parts.backbone, weights === 'ema' ? 'ema' : 'params');
      return { score: networkScoreFunction(parts.net), scoreSource: `${weights} weights at step ${step}` };
    },
  };
}

async function bundleSource(f: ScoreSourceRequest, bundle: string, defaults: ScoreSourceDefaults): Promise<ScoreSource> {
  const backend = await initAndReportBackend(f, defaults);
  const { model, target, scoreSource } = await openBundleForSampling(bundle, f.weights);
  return {
    backend,
    target,
    path: model.process,
    dir: bundle,
    defaultSeed: model.config.sampler.seed,
    weightsLabel: model.config.source.weights,
    network: model.config.network.backbone,
    loadNetwork: () => ({ score: model.scoreFunction, scoreSource }),
  };
}

/** Opens the run (--run) or bundle (--bundle) a command evaluates, after starting and reporting the backend. */
export function openScoreSource(f: ScoreSourceRequest, defaults: ScoreSourceDefaults): Promise<ScoreSource> {
  return f.bundle !== undefined ? bundleSource(f, f.bundle, defaults) : runSource(f, f.run!, defaults);
}
