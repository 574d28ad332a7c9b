import type { BackendChoice } from '../platform/backend.js';
import type { SamplingRequest } from '../config/sampling.js';
import type { WeightChoice } from '../config/sample-defaults.js';

/**
 * What `sample` takes: where the network comes from (a run or a bundle, exactly
 * one), the sampling asked for (the target's recipe fills in the rest), then
 * the command's own settings.
 */
export interface SampleCommandRequest {
  /** Run directory written by `train`. */
  run?: string;
  /** Bundle directory written by `export`, instead of a run. */
  bundle?: string;
  sampling: SamplingRequest;
  /** Sample with the target's exact score instead of the network. */
  oracle: boolean;
  weights?: WeightChoice;
  /** Output folder (default: one under the run or bundle named by the settings). */
  out?: string;
  backend?: BackendChoice;
  threads?: number;
  classifier?: string;
  json: boolean;
}
