import { UsageError } from '../errors.js';
import { BackendUnavailableError } from '../platform/backend.js';
import { CheckpointError } from '../checkpoint.js';
import { FileSystemError, withFile } from '../io/fs-errors.js';

/** Errors that describe bad input: exit code 2, one line, no stack trace. */
function isInputError(err: unknown): err is Error {
  return err instanceof UsageError || err instanceof BackendUnavailableError || err instanceof CheckpointError || err instanceof FileSystemError;
}

/** What the CLI prints for a failed command (one line) and the exit code it gives: 2 for input errors, 1 otherwise. */
export function commandFailure(caught: unknown): { message: string; code: 1 | 2; error: unknown } {
  const err = withFile(caught);
  const message = err instanceof Error ? err.message : String(err);
  return { message: message.split('\n')[0]!, code: isInputError(err) ? 2 : 1, error: err };
}

/**
 * Runs a command's main function with the project's error contract: input
 * errors and file-system failures (disk full, read-only, no permission: named
 * with their file) exit 2 with one line, anything else exits 1 with one line
 * (the stack only with SCORE_SDE_DEBUG=1).
 */
export async function runCommand(main: () => Promise<number | void>): Promise<void> {
  try {
    const code = await main();
    process.exitCode = code ?? 0;
  } catch (caught) {
    const { message, code, error: err } = commandFailure(caught);
    // On a terminal a progress bar may hold the current line: end it first. Piped output has no such line.
    process.stderr.write(`${process.stderr.isTTY ? '\n' : ''}error: ${message}\n`);
    if (process.env['SCORE_SDE_DEBUG'] === '1' && err instanceof Error) process.stderr.write(`${err.stack}\n`);
    process.exitCode = code;
    // Exit now: a command that failed midway may leave a progress bar's timer (or a GPU device) holding the process open.
    process.exit();
  }
}
