import yargs from 'yargs';
import { trainCommand } from '../commands/train.js';
import { UsageError } from '../errors.js';
import { parseFlags } from './flags.js';
import { yargsFailure } from './yargs-failure.js';
import { TRAIN_FLAGS, trainFlagsSchema } from './train-options.js';

/** Builds the yargs parser shared by the command and its help text. */
export function trainParser(argv: string[]) {
  return yargs(argv)
    .scriptName('npm run train --')
    .usage('$0 [flags]\n\nTrain a score network by denoising score matching, then sample and evaluate it.')
    .options(TRAIN_FLAGS)
    .strict()
    .help()
    .version(false)
    .wrap(110)
    .fail(yargsFailure('train', argv, TRAIN_FLAGS));
}

export async function trainCli(argv: string[]): Promise<number> {
  const args = (await trainParser(argv).parseAsync()) as Record<string, unknown>;
  if (Array.isArray(args['_']) && args['_'].length > 0) {
    throw new UsageError(`unexpected argument '${args['_'][0]}': flags start with --; see npm run train -- --help`);
  }
  return trainCommand(parseFlags(trainFlagsSchema, args));
}
