import { trainCommand } from '../commands/train.js';
import { parseCommandLine, type CommandSpec } from './command-line.js';
import { withJsonStdout } from './json-stdout.js';
import { TRAIN_FLAGS, trainCommandRequest, trainFlagsSchema } from './train-options.js';

export const TRAIN_COMMAND: CommandSpec<typeof trainFlagsSchema> = {
  name: 'train',
  usage: '$0 [flags]\n\nTrain a score network by denoising score matching, then sample and evaluate it.',
  flags: TRAIN_FLAGS,
  schema: trainFlagsSchema,
  examples: [
    ['$0 --target gmm --dim 10 --process pbm', 'a 10-D Gaussian mixture, pinned Brownian motion'],
    ['$0 --target mnist --replicas 2', 'the MNIST U-Net on two worker threads (CPU recipe)'],
    ['$0 --resume RUN --steps 8000', 'continue a run to 8000 steps'],
  ],
};

export async function trainCli(argv: string[]): Promise<number> {
  const flags = await parseCommandLine(TRAIN_COMMAND, argv);
  return withJsonStdout(flags.json, () => trainCommand(trainCommandRequest(flags)));
}
