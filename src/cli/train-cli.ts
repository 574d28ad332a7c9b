import { trainCommand } from '../commands/train.js';
import { parseCommandLine, type CommandSpec } from './command-line.js';
import { TRAIN_FLAGS, trainCommandRequest, trainFlagsSchema } from './train-options.js';

export const TRAIN_COMMAND: CommandSpec<typeof trainFlagsSchema> = {
  name: 'train',
  usage: '$0 [flags]\n\nTrain a score network by denoising score matching, then sample and evaluate it.',
  flags: TRAIN_FLAGS,
  schema: trainFlagsSchema,
};

export async function trainCli(argv: string[]): Promise<number> {
  return trainCommand(trainCommandRequest(await parseCommandLine(TRAIN_COMMAND, argv)));
}
