import type { DataSource } from '../../datasets/index.js';
import { UsageError } from '../errors.js';
import { recipeFor, TRAIN_DEFAULTS, type Recipe } from './recipes.js';
import { checkReplicaBackend, checkReplicaBatch } from './replicas.js';
import { resolveModel } from './resolve-model.js';
import { resolveProcess } from './resolve-process.js';
import { resolveTarget } from './resolve-target.js';
import { checkTrainingMemory } from './memory-estimate.js';
import { backboneConfig, RUN_FORMAT_VERSION, trainConfigSchema, type RunConfig, type TrainConfig } from './run-config.js';
import { asFlagValue, trainSettings } from './settings.js';
import { flagOf, type TrainRequest } from './train-request.js';

export interface ResolvedRun {
  config: RunConfig;
  /** The data source built while resolving (to read its parameters), for the run to train on. */
  source: DataSource;
}

/**
 * The full config of a new run, every default filled in from the target's
 * recipe, with the data source it was read from. `backend` is recorded as
 * the run's backend: a choice (auto) until the backend is up; replicas need
 * one that can host them.
 */
export function resolveRun(request: TrainRequest, backend: string): ResolvedRun {
  const targetName = request.target ?? TRAIN_DEFAULTS.target;
  const recipe = recipeFor(targetName);
  const target = resolveTarget(request, targetName, request.seed ?? recipe.seed);
  const process = resolveProcess(request, request.process ?? recipe.process);
  const replicas = request.replicas ?? recipe.replicas;
  checkReplicaBackend(replicas, backend);
  checkReplicaBatch(replicas, request.batchSize ?? recipe.batchSize);
  const config: RunConfig = {
    formatVersion: RUN_FORMAT_VERSION,
    target: target.record,
    process: process.record,
    model: resolveModel(request, recipe, target.source),
    train: resolveTrain(request, recipe),
    backend,
    createdAt: new Date().toISOString(),
  };
  // Refused here, before the run directory is made, rather than by a process that grows until it is killed.
  const given = new Set(Object.keys(request).filter((key) => request[key as keyof TrainRequest] !== undefined));
  checkTrainingMemory(backboneConfig(config.model), config.train.batchSize, given);
  return { config, source: target.source };
}

/** The full config of a new run (resolveRun without the data source). */
export function resolveRunConfig(request: TrainRequest, backend: string): RunConfig {
  return resolveRun(request, backend).config;
}

/**
 * config.train from the table of settings: each value as requested or from
 * the recipe, left out where its absence means it (so such configs read as
 * those of older versions), in the schema's field order.
 */
function resolveTrain(request: TrainRequest, recipe: Recipe): TrainConfig {
  const steps = request.steps ?? recipe.steps;
  const fields: Record<string, unknown> = {};
  for (const [key, setting] of trainSettings()) {
    if (setting.resume === 'fixed' || setting.train === undefined) continue;
    const { field, absent, atMostSteps } = setting.train;
    const chosen = (request[key] ?? recipe[key as keyof Recipe]) as unknown;
    const value = atMostSteps ? Math.min(chosen as number, steps) : chosen;
    if (value !== absent) fields[field] = value;
  }
  const ordered = Object.keys(trainConfigSchema.shape).filter((field) => field in fields);
  return Object.fromEntries(ordered.map((field) => [field, fields[field]])) as TrainConfig;
}

/** Where a new run would be written: refused on --resume like the run's own settings. */
export interface NewRunPlace {
  out?: string;
}

/**
 * A resumed run keeps its config: a locked setting given again must agree,
 * a target or process option cannot be given (nor --out), and --steps may
 * change. Backend and evaluation settings are the command's, not the run's.
 */
export function resumeRunConfig(stored: RunConfig, request: TrainRequest, dir: string, place: NewRunPlace = {}): RunConfig {
  for (const [key, setting] of trainSettings()) {
    if (setting.resume !== 'locked') continue;
    const given = asFlagValue(request[key]);
    if (given === undefined) continue;
    const flag = flagOf(key);
    const held = asFlagValue(setting.stored(stored));
    if (held === undefined) throw new UsageError(`${flag} ${given}: does not apply to the run in ${dir} (--backbone ${stored.model.kind})`);
    if (given !== held) throw new UsageError(`${flag} ${given}: does not match the run in ${dir} (${flag} ${held}); drop the flag to resume`);
  }
  const fixed = trainSettings().filter(([, setting]) => setting.resume === 'fixed');
  for (const [key, given] of [...fixed.map(([key]) => [key, request[key]] as const), ['out', place.out] as const]) {
    if (given !== undefined) throw new UsageError(`${flagOf(key)} ${given}: cannot be changed on --resume; the run's config.json is used`);
  }
  const train: Record<string, unknown> = { ...stored.train };
  for (const [key, setting] of trainSettings()) {
    if (setting.resume === 'extends') train[setting.train.field] = request[key] ?? stored.train[setting.train.field];
  }
  return { ...stored, train: train as TrainConfig };
}
