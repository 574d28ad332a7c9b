/**
 * System errors of the file system as one-line messages that name the file (Node's own text
 * names none for a failed write: "ENOSPC: no space left on device, write") and, where the
 * writer knows it, what was kept.
 */

const DESCRIBE: Record<string, (file: string) => string> = {
  ENOSPC: (f) => `disk full writing ${f}`,
  EDQUOT: (f) => `disk quota exceeded writing ${f}`,
  EROFS: (f) => `${f}: on a read-only file system; cannot write there`,
  EACCES: (f) => `${f}: permission denied`,
  EPERM: (f) => `${f}: operation not permitted`,
  EEXIST: (f) => `${f}: already exists`,
  ENOTDIR: (f) => `${f}: part of this path is a file, not a folder`,
  EISDIR: (f) => `${f}: is a folder where a file is expected`,
  ENAMETOOLONG: (f) => `${f}: name too long`,
  ELOOP: (f) => `${f}: too many levels of symbolic links`,
  EIO: (f) => `input/output error on ${f} (a failing disk or a lost network drive)`,
  EMFILE: (f) => `too many open files (at ${f})`,
  ENFILE: (f) => `too many open files in the system (at ${f})`,
};

/** A file-system failure at a known file: one line, exit code 2 (see src/cli/run-command.ts). */
export class FileSystemError extends Error {
  override name = 'FileSystemError';
  constructor(
    readonly code: string,
    readonly file: string,
    /** What survived, e.g. "the previous checkpoint (step 200) is kept". */
    readonly kept?: string,
  ) {
    super(`${DESCRIBE[code]!(file)}${kept ? `; ${kept}` : ''}`);
  }
}

/** A Node system error of the file system this module describes (ENOSPC, EROFS, EACCES, EEXIST, ENOTDIR, ...). */
export function isFileSystemFailure(err: unknown): err is NodeJS.ErrnoException & { code: string } {
  return err instanceof Error && typeof (err as NodeJS.ErrnoException).code === 'string' && (err as NodeJS.ErrnoException).code! in DESCRIBE;
}

/** `err` as a FileSystemError naming `file` (default: the path Node recorded) and what was kept; any other error unchanged. */
export function withFile(err: unknown, file?: string, kept?: string): unknown {
  if (err instanceof FileSystemError) return kept && !err.kept ? new FileSystemError(err.code, err.file, kept) : err;
  if (!isFileSystemFailure(err)) return err;
  const named = file ?? err.path ?? (err as { dest?: string }).dest;
  return named === undefined ? err : new FileSystemError(err.code, named, kept);
}
