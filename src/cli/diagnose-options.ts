import type { Options } from 'yargs';
import { z } from 'zod';
import { EXACT_TARGETS, TARGET_NAMES } from '../../datasets/exact-targets.js';
import type { TargetRequestKey } from '../../datasets/target-module.js';
import { BACKEND_CHOICES } from '../platform/backend.js';
import { DIAGNOSE_DEFAULTS } from '../config/diagnose-defaults.js';
import { JACOBIAN_METHODS } from '../diagnostics/network-localisation.js';
import { bounded, flag, threadsFlag, threadsOption } from './flags.js';
import { WEIGHT_CHOICES } from '../config/sample-defaults.js';

const d = DIAGNOSE_DEFAULTS;

/** The exact targets a request key applies to. */
const takers = (key: TargetRequestKey) => EXACT_TARGETS.filter((m) => m.requestKeys[key] !== undefined);
const namesTaking = (key: TargetRequestKey) => takers(key).map((m) => m.name).join(', ');

/** The default each target gives the option a key sets, neighbours with one value joined: "funnel/gmm 10, gaussian 2". */
function defaultsOf(key: TargetRequestKey): string {
  const groups: { names: string[]; value: unknown }[] = [];
  for (const m of takers(key)) {
    const option = m.requestKeys[key]?.option;
    const value = option === undefined ? undefined : m.resolveOptions({})[option];
    const last = groups.at(-1);
    if (last && last.value === value) last.names.push(m.name);
    else groups.push({ names: [m.name], value });
  }
  // One value for every target: the value alone ("10"), else per target.
  return groups.length === 1 ? String(groups[0]?.value) : groups.map((g) => `${g.names.join('/')} ${String(g.value)}`).join(', ');
}
const str = (describe: string, group: string, defaultDescription?: string): Options => ({
  type: 'string',
  describe,
  group,
  ...(defaultDescription !== undefined ? { defaultDescription } : {}),
});

/** Every flag of `npm run diagnose`, kept as typed text and validated by diagnoseFlagsSchema. */
export const DIAGNOSE_FLAGS: Record<string, Options> = {
  target: str(`exact diagnostics of a target: ${TARGET_NAMES.join(', ')}`, 'Source (one of):'),
  run: str('diagnostics of a trained run (its network, compared with its exact target)', 'Source (one of):'),
  dim: str(bounded(`dimension (${namesTaking('dim')})`, 'dim'), 'Target options (with --target):', defaultsOf('dim')),
  components: str(bounded(`number of mixture components (${namesTaking('components')})`, 'components'), 'Target options (with --target):', defaultsOf('components')),
  'target-seed': str('seed of the gmm means', 'Target options (with --target):', defaultsOf('targetSeed')),
  std: str(`standard deviation (${namesTaking('std')})`, 'Target options (with --target):', defaultsOf('std')),
  mu: str(`atoms at -mu e_1 and +mu e_1 (${namesTaking('mu')})`, 'Target options (with --target):', defaultsOf('mu')),
  weights: str(`network weights (with --run): ${WEIGHT_CHOICES.join(', ')}`, 'Network (with --run):', d.weights),
  jacobian: str(
    `score Jacobian: full (d backward passes), iterative (Lanczos on Jacobian-vector products, up to 40 steps), auto (full up to d = 20)`,
    'Network (with --run):',
    d.jacobian,
  ),
  'batch-size': str(bounded('points per Jacobian batch', 'batchSize'), 'Network (with --run):', String(d.batchSize)),
  backend: str(`TensorFlow.js backend (with --run): ${BACKEND_CHOICES.join(', ')}`, 'Network (with --run):', d.backend),
  threads: threadsOption('Network (with --run):'),
  'r-min': str('smallest SNR r = a/b of the log-spaced grid', 'Grids:', String(d.rMin)),
  'r-max': str('largest SNR of the grid', 'Grids:', String(d.rMax)),
  'r-count': str(bounded('number of r values', 'gridPoints'), 'Grids:', String(d.rCount)),
  r: str('explicit r values instead, comma-separated and increasing, e.g. 0.1,1,10', 'Grids:'),
  'u-count': str(bounded('points of the survival curve s_r(u), u from 0 to u-max', 'gridPoints'), 'Grids:', String(d.uCount)),
  'u-max': str('end of the u grid', 'Grids:', 'max(1, largest L) at each r'),
  'delta-count': str(bounded('points of the delta grid in (0, 1] for m*, delta* and zeta*', 'gridPoints'), 'Grids:', String(d.deltaCount)),
  m: str('levels M of zeta*_M, comma-separated', 'Grids:', d.m.join(',')),
  n: str(bounded('points x ~ p_tau drawn at each r', 'points'), 'Sampling:', String(d.n)),
  seed: str('seed of the points', 'Sampling:', String(d.seed)),
  out: str('output directory (new or empty)', 'Output:', 'checkpoints/diagnostics/<target>-<time>, or <run>/diagnostics'),
  json: { type: 'boolean', describe: 'print only a JSON summary on stdout (other text goes to stderr)', default: false },
};

/** Comma-separated positive numbers, e.g. "1,2,5". */
function positiveList(accepted: string, increasing: boolean) {
  return z.string().transform((text, ctx) => {
    const values = text.split(',').map((t) => (t.trim() === '' ? Number.NaN : Number(t)));
    const ok =
      values.length > 0 &&
      values.every((v) => Number.isFinite(v) && v > 0) &&
      (!increasing || values.every((v, k) => k === 0 || v > values[k - 1]));
    if (!ok) {
      ctx.addIssue({ code: 'custom', message: accepted });
      return z.NEVER;
    }
    return values;
  });
}

const opt = <T extends z.ZodType>(schema: T) => schema.optional();

export const diagnoseFlagsSchema = z.object({
  target: opt(flag.oneOf(TARGET_NAMES)),
  run: opt(z.string().min(1, { error: 'a run directory' })),
  dim: opt(flag.intIn('dim')),
  components: opt(flag.intIn('components')),
  targetSeed: opt(flag.intIn('seed')),
  std: opt(flag.positive()),
  mu: opt(flag.positive()),
  weights: opt(flag.oneOf(WEIGHT_CHOICES)),
  jacobian: opt(flag.oneOf(JACOBIAN_METHODS)),
  batchSize: opt(flag.intIn('batchSize')),
  backend: opt(flag.oneOf(BACKEND_CHOICES)),
  threads: opt(threadsFlag()),
  rMin: opt(flag.positive()),
  rMax: opt(flag.positive()),
  rCount: opt(flag.intIn('gridPoints')),
  r: opt(positiveList('comma-separated positive numbers in increasing order', true)),
  uCount: opt(flag.intIn('gridPoints')),
  uMax: opt(flag.positive()),
  deltaCount: opt(flag.intIn('gridPoints')),
  m: opt(positiveList('comma-separated positive numbers', false)),
  n: opt(flag.intIn('points')),
  seed: opt(flag.intIn('seed')),
  out: opt(z.string().min(1, { error: 'a directory path' })),
  json: z.boolean(),
});

export type DiagnoseFlags = z.infer<typeof diagnoseFlagsSchema>;
