import yargs, { type Options } from 'yargs';
import { z } from 'zod';
import { UsageError } from '../errors.js';
import { isNumericFlag, parseFlags } from './flags.js';
import { helpHint, invocation, packageVersion } from './program.js';
import { yargsFailure } from './yargs-failure.js';

export interface CommandSpec<S extends z.ZodType> {
  /** The npm script name, e.g. "train". */
  name: string;
  /** Usage line and one-sentence description for --help. */
  usage: string;
  flags: Record<string, Options>;
  schema: S;
  /** Examples at the end of --help: the command line after the command's name ($0), and what it does. */
  examples?: readonly (readonly [string, string])[];
  /** Text after the examples. */
  epilogue?: string;
}

const camel = (flag: string) => flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/** The schema's fields, whatever refinements wrap the object. */
function schemaShape(schema: z.ZodType): Record<string, z.ZodType> {
  return schema instanceof z.ZodObject ? (schema.shape as Record<string, z.ZodType>) : {};
}

/**
 * The flags as yargs declares them: a flag whose schema takes one number shows
 * as [number] in --help, yet stays text when parsed (`string: true` stops
 * yargs converting it), so an error can quote what was typed.
 */
function displayedFlags(flags: Record<string, Options>, schema: z.ZodType): Record<string, Options> {
  const shape = schemaShape(schema);
  return Object.fromEntries(
    Object.entries(flags).map(([name, option]) =>
      isNumericFlag(shape[camel(name)]) ? [name, { ...option, type: 'number', string: true }] : [name, option],
    ),
  );
}

/** The yargs parser of a command, shared by the command itself and its help text. */
export function commandParser<S extends z.ZodType>(spec: CommandSpec<S>, argv: string[]) {
  let parser = yargs(argv)
    .scriptName(invocation(spec.name))
    .usage(spec.usage)
    .options(displayedFlags(spec.flags, spec.schema))
    .strict()
    .help()
    .alias('help', 'h')
    .version(packageVersion())
    .wrap(110)
    .fail(yargsFailure(spec.name, argv, spec.flags));
  for (const [command, description] of spec.examples ?? []) parser = parser.example(command, description);
  if (spec.epilogue !== undefined) parser = parser.epilogue(spec.epilogue);
  return parser;
}

/** Parses and validates a command line; every problem is a one-line UsageError. */
export async function parseCommandLine<S extends z.ZodType>(spec: CommandSpec<S>, argv: string[]): Promise<z.infer<S>> {
  const args = (await commandParser(spec, argv).parseAsync()) as Record<string, unknown>;
  const positional = args['_'];
  if (Array.isArray(positional) && positional.length > 0) {
    throw new UsageError(`unexpected argument '${positional[0]}': flags start with --; ${helpHint(spec.name)}`);
  }
  // yargs's own entries (the alias -h, --version) are not flags of the command.
  delete args['h'];
  delete args['version'];
  return parseFlags(spec.schema, args);
}
