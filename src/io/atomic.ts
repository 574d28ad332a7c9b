import { closeSync, fsyncSync, openSync, readdirSync, readFileSync, renameSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { open, readFile, rename, unlink } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import { withFile } from './fs-errors.js';

/**
 * Temporary sibling of `path`: same directory so the final rename never
 * crosses a filesystem, dot-prefixed so directory listings skip it, and
 * unique per process and call so concurrent writers do not collide.
 */
function tempPathFor(path: string): string {
  const tag = `${process.pid}.${randomBytes(6).toString('hex')}`;
  return join(dirname(path), `.${basename(path)}.${tag}.tmp`);
}

const TEMP_NAME = /^\..+\.(\d+)\.[0-9a-f]{12}\.tmp$/;

/**
 * Removes the temporary files that writers killed midway (kill -9, power loss) left in `dir`.
 * Only for a folder this process holds the lock of: no other process writes there then.
 */
export function removeLeftoverTempFiles(dir: string): void {
  for (const name of readdirSync(dir)) {
    const match = TEMP_NAME.exec(name);
    if (match !== null && Number(match[1]) !== process.pid) rmSync(join(dir, name), { force: true });
  }
}

function toBytes(data: string | Uint8Array): Uint8Array {
  return typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
}

/** Makes the rename itself durable; some platforms cannot open a directory, which is harmless. */
function fsyncDirSync(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Not supported here (e.g. Windows): the file data is still synced.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

async function fsyncDir(dir: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // See fsyncDirSync.
  } finally {
    await handle?.close();
  }
}

export interface AtomicWriteOptions {
  /** Called with half the data written (the crash-recovery tests kill the process there). */
  halfway?: () => void;
}

/**
 * Writes `data` to `path` so that readers (and a crash) only ever see the old
 * file or the complete new one: write a temporary file, fsync it, rename it
 * over the target. The temporary file is removed if anything fails.
 */
export function writeFileAtomicSync(path: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): void {
  const bytes = toBytes(data);
  const tmp = tempPathFor(path);
  let fd: number | undefined;
  try {
    fd = openSync(tmp, 'wx');
    const half = bytes.length >> 1;
    let off = 0;
    while (off < half) off += writeSync(fd, bytes, off, half - off);
    options.halfway?.();
    while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, path);
  } catch (err) {
    if (fd !== undefined) closeSync(fd);
    try {
      unlinkSync(tmp);
    } catch {
      // Never created, or already renamed.
    }
    // Named as the file being written, not its temporary sibling.
    throw withFile(err, path);
  }
  fsyncDirSync(dirname(path));
}

/** Async variant of {@link writeFileAtomicSync}, with the same guarantees. */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const bytes = toBytes(data);
  const tmp = tempPathFor(path);
  const handle = await open(tmp, 'wx').catch((err: unknown) => {
    throw withFile(err, path);
  });
  try {
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw withFile(err, path);
  }
  await fsyncDir(dirname(path));
}

/** Reads and parses a JSON file; the error names the file, which JSON.parse alone does not. */
export function readJsonFileSync(path: string): unknown {
  const text = readFileSync(path, 'utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new Error(`invalid JSON in ${path}: ${(err as Error).message}`);
  }
}

/** Async variant of {@link readJsonFileSync}. */
export async function readJsonFile(path: string): Promise<unknown> {
  const text = await readFile(path, 'utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new Error(`invalid JSON in ${path}: ${(err as Error).message}`);
  }
}
