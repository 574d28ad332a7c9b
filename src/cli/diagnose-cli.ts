import { describeTargets } from '../../datasets/index.js';
import { diagnoseCommand } from '../commands/diagnose.js';
import { parseCommandLine, type CommandSpec } from './command-line.js';
import { DIAGNOSE_FLAGS, diagnoseFlagsSchema } from './diagnose-options.js';
import { withJsonStdout } from './json-stdout.js';

export const DIAGNOSE_COMMAND: CommandSpec<typeof diagnoseFlagsSchema> = {
  name: 'diagnose',
  usage:
    '$0 (--target NAME | --run DIR) [flags]\n\n' +
    'Where is denoising hard? Localisation L (top eigenvalue of Cov[r x0 | x]) per SNR r = a/b: its survival ' +
    's_r(u), m*(r), delta*(r), r* and the effective curvature zeta*_M (docs/math.md section 6). --target computes them ' +
    'exactly; --run from the Jacobian of a trained score network, compared with the exact values.',
  flags: DIAGNOSE_FLAGS,
  schema: diagnoseFlagsSchema,
  examples: [
    ['$0 --target gmm --dim 10', 'exact localisation of the 10-D mixture'],
    ['$0 --run RUN', "a trained network's localisation beside the exact one"],
  ],
  epilogue: `Targets:\n${describeTargets()}`,
};

export async function diagnoseCli(argv: string[]): Promise<number> {
  const flags = await parseCommandLine(DIAGNOSE_COMMAND, argv);
  return withJsonStdout(flags.json, () => diagnoseCommand(flags));
}
