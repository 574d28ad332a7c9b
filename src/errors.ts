/**
 * A problem with what the user gave (a flag, a file, a run directory). The
 * message is one line naming the flag or file, the value, and what is accepted;
 * commands print it without a stack trace and exit with code 2.
 */
export class UsageError extends Error {
  override name = 'UsageError';
}
