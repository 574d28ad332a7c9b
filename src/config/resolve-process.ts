import { createProcess, type GaussianPath, type ProcessName } from '../process/index.js';
import { UsageError } from '../errors.js';
import type { RunConfig } from './run-config.js';
import type { TrainRequest } from './train-request.js';

export interface ResolvedProcess {
  /** What the run's config records. */
  record: RunConfig['process'];
  path: GaussianPath;
}

/** The process of a new run: its options from the request (another process's option is an error), its range checked. */
export function resolveProcess(request: TrainRequest, name: ProcessName): ResolvedProcess {
  if (name === 'vp') {
    if (request.sigma !== undefined) throw new UsageError(`--sigma ${request.sigma}: does not apply to --process vp (PBM only)`);
  } else if (request.betaMin !== undefined || request.betaMax !== undefined) {
    throw new UsageError(`--beta-${request.betaMin !== undefined ? 'min' : 'max'}: does not apply to --process pbm (VP only)`);
  }
  const path = createProcess(name, {
    betaMin: request.betaMin,
    betaMax: request.betaMax,
    sigma: request.sigma,
    tauMin: request.tauMin,
    tauMax: request.tauMax,
  });
  if (!(path.tauMin < path.tauMax)) {
    throw new UsageError(`--tau-min ${path.tauMin}: must be below --tau-max (${path.tauMax})`);
  }
  if (name === 'pbm' && path.tauMax >= 1) {
    throw new UsageError(`--tau-max ${path.tauMax}: PBM is singular at tau = 1; accepted: a number in (tau-min, 1)`);
  }
  return { record: { name, params: path.params }, path };
}
