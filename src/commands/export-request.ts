import type { ExportFormat } from '../config/export-defaults.js';
import type { WeightChoice } from '../config/sample-defaults.js';

/** What `export` takes: the run, the new bundle's directory, which weight files and which weights. */
export interface ExportCommandRequest {
  run: string;
  out: string;
  format?: ExportFormat;
  weights?: WeightChoice;
  json: boolean;
}
