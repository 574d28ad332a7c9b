import type { ExportFormat } from '../config/export-defaults.js';
import type { WeightChoice } from '../config/sample-defaults.js';
import type { SamplingRequest } from '../config/sampling.js';

/** What `export` takes: the run, the new bundle's directory, which weight files and which weights, and the sampler it records. */
export interface ExportCommandRequest {
  run: string;
  out: string;
  format?: ExportFormat;
  weights?: WeightChoice;
  /** The sampler the bundle records, over the target's recipe (solver, grid, steps or nfe, tolerance); absent: the recipe. */
  sampling?: SamplingRequest;
  json: boolean;
}
