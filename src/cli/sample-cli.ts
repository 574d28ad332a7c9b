import yargs from 'yargs';
import { sampleCommand } from '../commands/sample.js';
import { UsageError } from '../errors.js';
import { parseFlags } from './flags.js';
import { yargsFailure } from './yargs-failure.js';
import { SAMPLE_FLAGS, sampleFlagsSchema } from './sample-options.js';

export function sampleParser(argv: string[]) {
  return yargs(argv)
    .scriptName('npm run sample --')
    .usage('$0 --run DIR [flags]\n\nSample a trained run with the reverse-time SDE and evaluate the samples.')
    .options(SAMPLE_FLAGS)
    .strict()
    .help()
    .version(false)
    .wrap(110)
    .fail(yargsFailure('sample', argv, SAMPLE_FLAGS));
}

export async function sampleCli(argv: string[]): Promise<number> {
  const args = (await sampleParser(argv).parseAsync()) as Record<string, unknown>;
  if (Array.isArray(args['_']) && args['_'].length > 0) {
    throw new UsageError(`unexpected argument '${args['_'][0]}': flags start with --; see npm run sample -- --help`);
  }
  return sampleCommand(parseFlags(sampleFlagsSchema, args));
}
