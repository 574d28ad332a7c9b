import yargs from 'yargs';
import { describeTargets } from '../../datasets/index.js';
import { diagnoseCommand } from '../commands/diagnose.js';
import { UsageError } from '../errors.js';
import { DIAGNOSE_FLAGS, diagnoseFlagsSchema } from './diagnose-options.js';
import { parseFlags } from './flags.js';
import { yargsFailure } from './yargs-failure.js';

export function diagnoseParser(argv: string[]) {
  return yargs(argv)
    .scriptName('npm run diagnose --')
    .usage(
      '$0 (--target NAME | --run DIR) [flags]\n\n' +
        'Where is denoising hard? Localisation L (top eigenvalue of Cov[r x0 | x]) per SNR r = a/b: its survival ' +
        's_r(u), m*(r), delta*(r), r* and the effective curvature zeta*_M (docs/math.md section 6). --target computes them ' +
        'exactly; --run from the Jacobian of a trained score network, compared with the exact values.',
    )
    .options(DIAGNOSE_FLAGS)
    .epilogue(`Targets:\n${describeTargets()}`)
    .strict()
    .help()
    .version(false)
    .wrap(110)
    .fail(yargsFailure('diagnose', argv, DIAGNOSE_FLAGS));
}

export async function diagnoseCli(argv: string[]): Promise<number> {
  const args = (await diagnoseParser(argv).parseAsync()) as Record<string, unknown>;
  if (Array.isArray(args['_']) && args['_'].length > 0) {
    throw new UsageError(`unexpected argument '${args['_'][0]}': flags start with --; see npm run diagnose -- --help`);
  }
  return diagnoseCommand(parseFlags(diagnoseFlagsSchema, args));
}
