import { UsageError } from '../errors.js';
import { createProcess, foreignOptionRefusal, ownOptions, singularEndRefusal, type GaussianPath, type ProcessName } from '../process/index.js';
import type { RunConfig } from './run-config.js';
import type { TrainRequest } from './train-request.js';

export interface ResolvedProcess {
  /** What the run's config records. */
  record: RunConfig['process'];
  path: GaussianPath;
}

/** The process of a new run: its options from the request (another process's option is an error), its range checked. */
export function resolveProcess(request: TrainRequest, name: ProcessName): ResolvedProcess {
  // The refusals look at the process options among all the request's values.
  const given: Readonly<Record<string, unknown>> = { ...request };
  const foreign = foreignOptionRefusal(name, given);
  if (foreign !== null) throw new UsageError(foreign);
  const path = createProcess(name, ownOptions(name, given));
  if (!(path.tauMin < path.tauMax)) {
    throw new UsageError(`--tau-min ${path.tauMin}: must be below --tau-max (${path.tauMax})`);
  }
  const singular = singularEndRefusal(name, path.tauMax);
  if (singular !== null) throw new UsageError(singular);
  return { record: { name, params: path.params }, path };
}
