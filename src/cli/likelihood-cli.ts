import { likelihoodCommand } from '../commands/likelihood.js';
import { parseCommandLine, type CommandSpec } from './command-line.js';
import { LIKELIHOOD_FLAGS, likelihoodCommandRequest, likelihoodFlagsSchema } from './likelihood-options.js';

export const LIKELIHOOD_COMMAND: CommandSpec<typeof likelihoodFlagsSchema> = {
  name: 'likelihood',
  usage:
    '$0 --run DIR | --bundle BUNDLE [flags]\n\nlog p_model of points by the change of variables along the probability-flow ODE ' +
    '(mean NLL in nats, bits/dim for images; against the exact log density where the target has one). See docs/likelihood.md.',
  flags: LIKELIHOOD_FLAGS,
  schema: likelihoodFlagsSchema,
};

export async function likelihoodCli(argv: string[]): Promise<number> {
  return likelihoodCommand(likelihoodCommandRequest(await parseCommandLine(LIKELIHOOD_COMMAND, argv)));
}
