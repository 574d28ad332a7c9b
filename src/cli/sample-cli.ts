import { sampleCommand } from '../commands/sample.js';
import { parseCommandLine, type CommandSpec } from './command-line.js';
import { SAMPLE_FLAGS, sampleCommandRequest, sampleFlagsSchema } from './sample-options.js';

export const SAMPLE_COMMAND: CommandSpec<typeof sampleFlagsSchema> = {
  name: 'sample',
  usage: '$0 --run DIR | --bundle BUNDLE [flags]\n\nSample a trained run (or an exported bundle) with the reverse-time SDE or a probability-flow ODE solver (--solver) and evaluate the samples.',
  flags: SAMPLE_FLAGS,
  schema: sampleFlagsSchema,
};

export async function sampleCli(argv: string[]): Promise<number> {
  return sampleCommand(sampleCommandRequest(await parseCommandLine(SAMPLE_COMMAND, argv)));
}
