import yargs, { type Options } from 'yargs';
import type { z } from 'zod';
import { UsageError } from '../errors.js';
import { parseFlags } from './flags.js';
import { yargsFailure } from './yargs-failure.js';

export interface CommandSpec<S extends z.ZodType> {
  /** The npm script name, e.g. "train". */
  name: string;
  /** Usage line and one-sentence description for --help. */
  usage: string;
  flags: Record<string, Options>;
  schema: S;
}

/** The yargs parser of a command, shared by the command itself and its help text. */
export function commandParser<S extends z.ZodType>(spec: CommandSpec<S>, argv: string[]) {
  return yargs(argv)
    .scriptName(`npm run ${spec.name} --`)
    .usage(spec.usage)
    .options(spec.flags)
    .strict()
    .help()
    .version(false)
    .wrap(110)
    .fail(yargsFailure(spec.name, argv, spec.flags));
}

/** Parses and validates a command line; every problem is a one-line UsageError. */
export async function parseCommandLine<S extends z.ZodType>(spec: CommandSpec<S>, argv: string[]): Promise<z.infer<S>> {
  const args = (await commandParser(spec, argv).parseAsync()) as Record<string, unknown>;
  const positional = args['_'];
  if (Array.isArray(positional) && positional.length > 0) {
    throw new UsageError(`unexpected argument '${positional[0]}': flags start with --; see npm run ${spec.name} -- --help`);
  }
  return parseFlags(spec.schema, args);
}
