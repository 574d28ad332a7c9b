import type { Options } from 'yargs';
import { z } from 'zod';
import { GPU_CHECK_DEFAULTS } from '../config/gpu-check-defaults.js';
import { GPU_CHECK_PART_NAMES } from '../gpu-check/parts.js';
import { flag, textOption } from './flags.js';

/** Every flag of `gpu-check`. */
export const GPU_CHECK_FLAGS: Record<string, Options> = {
  out: textOption('folder for gpu-check.json, the logs and the runs (new or empty)', 'checkpoints/gpu-check-<time>'),
  'budget-s': textOption('seconds for the whole check; each part gets its share of the time left', String(GPU_CHECK_DEFAULTS.budgetSeconds)),
  parts: textOption(`comma-separated parts to run, in this order: ${GPU_CHECK_PART_NAMES.join(', ')}`, 'all'),
  json: { type: 'boolean', default: false, describe: 'print only the report (gpu-check.json), on stdout (other text goes to stderr)' },
};

const partList = z.string().transform((text, ctx) => {
  const names = text.split(',').map((s) => s.trim());
  if (names.length === 0 || !names.every((n) => GPU_CHECK_PART_NAMES.includes(n))) {
    ctx.addIssue({ code: 'custom', message: `a comma-separated list of ${GPU_CHECK_PART_NAMES.join(', ')}` });
    return z.NEVER;
  }
  return [...new Set(names)];
});

export const gpuCheckFlagsSchema = z.object({
  out: z.string().optional(),
  budgetS: flag.positive().optional(),
  parts: partList.optional(),
  json: z.boolean(),
});

export type GpuCheckFlags = z.infer<typeof gpuCheckFlagsSchema>;
