import { likelihoodCommand } from '../commands/likelihood.js';
import { parseCommandLine, type CommandSpec } from './command-line.js';
import { withJsonStdout } from './json-stdout.js';
import { LIKELIHOOD_FLAGS, likelihoodCommandRequest, likelihoodFlagsSchema } from './likelihood-options.js';

export const LIKELIHOOD_COMMAND: CommandSpec<typeof likelihoodFlagsSchema> = {
  name: 'likelihood',
  usage:
    '$0 --run DIR | --bundle BUNDLE [flags]\n\nlog p_model of points by the change of variables along the probability-flow ODE ' +
    '(mean NLL in nats, bits/dim for images; against the exact log density where the target has one). See docs/likelihood.md.',
  flags: LIKELIHOOD_FLAGS,
  schema: likelihoodFlagsSchema,
  examples: [
    ['$0 --run RUN', 'mean NLL of 1000 fresh target points, beside the exact log density'],
    ['$0 --run RUN --oracle --n 500', "the target's exact score instead of the network: the solver's error alone"],
    ['$0 --bundle B --points x.npy --json', 'log p of your own points; the summary as JSON'],
  ],
};

export async function likelihoodCli(argv: string[]): Promise<number> {
  const flags = await parseCommandLine(LIKELIHOOD_COMMAND, argv);
  return withJsonStdout(flags.json, () => likelihoodCommand(likelihoodCommandRequest(flags)));
}
