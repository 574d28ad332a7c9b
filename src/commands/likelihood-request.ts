import type { LikelihoodSolverName } from '../config/likelihood-defaults.js';
import type { WeightChoice } from '../config/sample-defaults.js';
import type { BackendChoice } from '../platform/backend.js';
import type { GridName } from '../sampler/noise-grid.js';

/**
 * What `likelihood` takes: where the network comes from (a run or a bundle,
 * exactly one), which points (a file, or fresh target points / MNIST test
 * images), how the ODE is solved and the divergence computed, and the
 * command's own settings. Absent values take LIKELIHOOD_DEFAULTS.
 */
export interface LikelihoodCommandRequest {
  run?: string | undefined;
  bundle?: string | undefined;
  /** A .npy of shape [n, d] (float32 or float64), instead of fresh points. */
  points?: string | undefined;
  /** Fresh target points (or MNIST test images) to evaluate when no file is given. */
  n?: number | undefined;
  seed?: number | undefined;
  /** Integrate the target's exact score instead of the network's. */
  oracle: boolean;
  weights?: WeightChoice | undefined;
  solver?: LikelihoodSolverName | undefined;
  grid?: GridName | undefined;
  nfe?: number | undefined;
  rtol?: number | undefined;
  atol?: number | undefined;
  tauMin?: number | undefined;
  tauMax?: number | undefined;
  batchSize?: number | undefined;
  exactDivMaxDim?: number | undefined;
  probes?: number | undefined;
  out?: string | undefined;
  backend?: BackendChoice | undefined;
  threads?: number | undefined;
  json: boolean;
}
