import type { Options } from 'yargs';
import { z } from 'zod';
import { textOption as str } from './flags.js';

/** Every flag of `npm run report`. */
export const REPORT_FLAGS: Record<string, Options> = {
  run: str('run directory written by npm run train (required); the page is written into it as report.html'),
  json: { type: 'boolean', default: false, describe: 'print only a JSON summary on stdout (other text goes to stderr)' },
};

export const reportFlagsSchema = z.object({
  run: z.string({ error: 'the run directory written by npm run train' }).min(1, { error: 'a run directory' }),
  json: z.boolean(),
});

export type ReportFlags = z.infer<typeof reportFlagsSchema>;
