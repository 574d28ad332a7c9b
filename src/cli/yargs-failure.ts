import type { Options } from 'yargs';
import { UsageError } from '../errors.js';
import { helpHint, invocation } from './program.js';

/** Flags yargs adds to every command. */
const YARGS_FLAGS = new Set(['help', 'h', 'version']);

/**
 * Turns yargs's own complaints into the project's one-line errors. Unknown
 * flags are named as the user typed them (yargs reports "--no-x" as "x" and
 * adds camel-case twins), and stray words are called out as such.
 */
export function yargsFailure(command: string, argv: string[], flags: Record<string, Options>) {
  return (message: string | undefined, err: Error | undefined): never => {
    if (err) throw err;
    const help = helpHint(command);
    for (const token of argv) {
      if (token === '--') break;
      if (!token.startsWith('-')) continue;
      const name = token.replace(/^-+/, '').split('=')[0]!;
      const negated = name.startsWith('no-') && flags[name.slice(3)]?.type === 'boolean';
      if (!YARGS_FLAGS.has(name) && !(name in flags) && !negated) {
        throw new UsageError(`${token.split('=')[0]}: unknown flag; the accepted flags are listed by ${invocation(command)} --help`);
      }
    }
    if (/^Unknown arguments?: /.test(message ?? '')) {
      const word = argv.find((t) => !t.startsWith('-') && (message ?? '').includes(t));
      throw new UsageError(`unexpected argument '${word ?? message}': flags start with --; ${help}`);
    }
    throw new UsageError((message ?? 'invalid arguments').replace(/\n/g, ' '));
  };
}
