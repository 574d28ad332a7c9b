import { classifierCommand } from '../commands/classifier.js';
import { parseCommandLine, type CommandSpec } from './command-line.js';
import { withJsonStdout } from './json-stdout.js';
import { CLASSIFIER_FLAGS, classifierFlagsSchema } from './classifier-options.js';

export const CLASSIFIER_COMMAND: CommandSpec<typeof classifierFlagsSchema> = {
  name: 'classifier',
  usage:
    '$0 [flags]\n\nTrain the MNIST classifier behind the image metrics (FID in its features, class histogram) ' +
    'and cache it; with a classifier already cached in --out, report it.',
  flags: CLASSIFIER_FLAGS,
  schema: classifierFlagsSchema,
  examples: [
    ['$0', 'train the classifier of the image metrics and cache it'],
    ['$0 --out my-classifier --epochs 5', 'a classifier of its own, 5 epochs'],
  ],
};

export async function classifierCli(argv: string[]): Promise<number> {
  const flags = await parseCommandLine(CLASSIFIER_COMMAND, argv);
  return withJsonStdout(flags.json, () => classifierCommand(flags));
}
