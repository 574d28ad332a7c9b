import type { Options } from 'yargs';
import { z } from 'zod';
import { EXPORT_DEFAULTS, EXPORT_FORMATS } from '../config/export-defaults.js';
import { WEIGHT_CHOICES } from '../config/sample-defaults.js';
import type { ExportCommandRequest } from '../commands/export-request.js';
import { flag, textOption as str } from './flags.js';
import { refuseStepsAndNfe, SOLVER_FLAGS, solverFlagsShape, solverRequest } from './solver-options.js';

/** Every flag of `npm run export`. */
export const EXPORT_FLAGS: Record<string, Options> = {
  run: str('run directory written by npm run train (required)'),
  out: str('new bundle directory (required; must not exist or be empty)'),
  format: str(`weight files: ${EXPORT_FORMATS.join(', ')} (tfjs: weights.bin + TensorFlow.js manifest; safetensors: model.safetensors)`, EXPORT_DEFAULTS.format),
  weights: str(`which weights: ${WEIGHT_CHOICES.join(', ')}`, EXPORT_DEFAULTS.weights),
  ...SOLVER_FLAGS,
  steps: str('solver steps the bundle recommends', "npm run sample's for the target"),
  json: { type: 'boolean', default: false, describe: 'print only a JSON summary on stdout (other text goes to stderr)' },
};

export const exportFlagsSchema = z.object({
  run: z.string({ error: 'the run directory written by npm run train' }).min(1, { error: 'a run directory' }),
  out: z.string({ error: 'the new bundle directory' }).min(1, { error: 'a bundle directory' }),
  format: flag.oneOf(EXPORT_FORMATS).optional(),
  weights: flag.oneOf(WEIGHT_CHOICES).optional(),
  ...solverFlagsShape,
  steps: flag.positiveInt().optional(),
  json: z.boolean(),
}).superRefine(refuseStepsAndNfe);

export type ExportFlags = z.infer<typeof exportFlagsSchema>;

/** What `export` takes, from its flags: the sampler flags become the settings the bundle records. */
export function exportCommandRequest(f: ExportFlags): ExportCommandRequest {
  const { run, out, format, weights, json } = f;
  return { run, out, format, weights, json, sampling: solverRequest(f) };
}
