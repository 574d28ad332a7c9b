import { classifierCommand } from '../commands/classifier.js';
import { parseCommandLine, type CommandSpec } from './command-line.js';
import { CLASSIFIER_FLAGS, classifierFlagsSchema } from './classifier-options.js';

export const CLASSIFIER_COMMAND: CommandSpec<typeof classifierFlagsSchema> = {
  name: 'classifier',
  usage:
    '$0 [flags]\n\nTrain the MNIST classifier behind the image metrics (FID in its features, class histogram) ' +
    'and cache it; with a classifier already cached in --out, report it.',
  flags: CLASSIFIER_FLAGS,
  schema: classifierFlagsSchema,
};

export async function classifierCli(argv: string[]): Promise<number> {
  return classifierCommand(await parseCommandLine(CLASSIFIER_COMMAND, argv));
}
