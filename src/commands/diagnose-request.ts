import type { TargetName } from '../../datasets/exact-targets.js';
import type { BackendChoice } from '../platform/backend.js';
import type { WeightChoice } from '../config/sample-defaults.js';
import type { JacobianMethod } from '../diagnostics/network-localisation.js';

/**
 * What `diagnose` takes: the source (a target, exactly, or a trained run: one
 * of them), the target's options (with a target), the network's settings
 * (with a run), the SNR grids and the points. Unset: DIAGNOSE_DEFAULTS.
 */
export interface DiagnoseCommandRequest {
  target?: TargetName;
  run?: string;
  dim?: number;
  components?: number;
  targetSeed?: number;
  std?: number;
  mu?: number;
  weights?: WeightChoice;
  jacobian?: JacobianMethod;
  batchSize?: number;
  backend?: BackendChoice;
  threads?: number;
  rMin?: number;
  rMax?: number;
  rCount?: number;
  /** Explicit r values, increasing, instead of the log-spaced grid. */
  r?: number[];
  uCount?: number;
  uMax?: number;
  deltaCount?: number;
  /** Levels M of zeta*_M. */
  m?: number[];
  n?: number;
  seed?: number;
  out?: string;
  json: boolean;
}
