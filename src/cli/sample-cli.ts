import { sampleCommand } from '../commands/sample.js';
import { parseCommandLine, type CommandSpec } from './command-line.js';
import { withJsonStdout } from './json-stdout.js';
import { SAMPLE_FLAGS, sampleCommandRequest, sampleFlagsSchema } from './sample-options.js';

export const SAMPLE_COMMAND: CommandSpec<typeof sampleFlagsSchema> = {
  name: 'sample',
  usage: '$0 --run DIR | --bundle BUNDLE [flags]\n\nSample a trained run (or an exported bundle) with the reverse-time SDE or a probability-flow ODE solver (--solver) and evaluate the samples.',
  flags: SAMPLE_FLAGS,
  schema: sampleFlagsSchema,
  examples: [
    ['$0 --run RUN --seed 1', 'sample with the EMA weights, seed 1, and evaluate'],
    ['$0 --run RUN --oracle --steps 1000', "the target's exact score instead of the network"],
    ['$0 --bundle my-bundle --n 5000', 'sample an exported bundle'],
  ],
};

export async function sampleCli(argv: string[]): Promise<number> {
  const flags = await parseCommandLine(SAMPLE_COMMAND, argv);
  return withJsonStdout(flags.json, () => sampleCommand(sampleCommandRequest(flags)));
}
