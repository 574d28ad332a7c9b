import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { UsageError } from '../errors.js';
import { withFile } from './fs-errors.js';

/**
 * Advisory locks on the folders a command writes (a run, a bundle being exported, an experiment),
 * so that two processes never write one folder at once.
 *
 * Hand-written rather than proper-lockfile: that library decides staleness by the lock's age
 * (the holder must keep touching it from a timer), so a run killed with -9 blocks its folder for the
 * stale period and a long synchronous step can lose its lock. Here the lock records who holds it
 * ({pid, host, command, started}); a lock whose holder is a dead process on this host is taken over.
 */

/** The lock of a folder, inside it: loaders and listings of run and experiment folders skip it. */
export const LOCK_FILE = '.lock';

/** The lock of a folder that a command creates whole (an exported bundle): beside it, so the folder itself holds only its own files. */
export function besideLockPath(dir: string): string {
  return `${dir.replace(/[\\/]+$/, '')}.lock`;
}

export function insideLockPath(dir: string): string {
  return path.join(dir, LOCK_FILE);
}

export interface LockHolder {
  pid: number;
  host: string;
  command: string;
  started: string;
  /** Tells this holding apart from an earlier one of the same process. */
  token: string;
}

export class DirectoryInUseError extends UsageError {
  override name = 'DirectoryInUseError';
}

export interface DirLock {
  readonly file: string;
  /** Removes the lock file (only if it is still this holding's); safe to call twice. */
  release(): void;
}

/**
 * Runs `body` with an empty list that it fills with the locks it takes; every lock in it is
 * released when `body` ends, however it ends.
 */
export async function withLocks<T>(body: (locks: DirLock[]) => Promise<T>): Promise<T> {
  const locks: DirLock[] = [];
  try {
    return await body(locks);
  } finally {
    for (const lock of locks) lock.release();
  }
}

const held = new Map<string, string>();

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: alive, owned by another user.
    return (err as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

function readHolder(file: string): { text: string; holder: LockHolder | null } | null {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  try {
    const holder = JSON.parse(text) as LockHolder;
    return typeof holder.pid === 'number' && typeof holder.host === 'string' ? { text, holder } : { text, holder: null };
  } catch {
    return { text, holder: null };
  }
}

/** Why the holder of a lock is gone, or null while it may still run. */
function staleReason(holder: LockHolder | null, file: string): string | null {
  if (holder === null) return 'an unreadable lock file';
  if (holder.host !== os.hostname()) return null;
  // The same pid as ours but not one of our holdings: an earlier process that had our pid (as in a fresh container).
  if (holder.pid === process.pid) return held.has(file) ? null : `process ${holder.pid} (an earlier process with this pid)`;
  return processAlive(holder.pid) ? null : `process ${holder.pid}, which no longer runs`;
}

/** Creates the lock file complete or not at all: written under a unique name, then hard-linked into place (fails if one exists). */
function tryCreate(file: string, text: string): boolean {
  const tmp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    fs.writeFileSync(tmp, text, { flag: 'wx' });
  } catch (err) {
    // Named as the lock file (a read-only or full disk), not its temporary sibling.
    throw withFile(err, file);
  }
  try {
    fs.linkSync(tmp, file);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    // ENOENT: the holder that just took the lock cleared our temporary file (removeLeftoverTempFiles); it is held.
    if (code === 'EEXIST' || code === 'ENOENT') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EXDEV') throw err;
    // No hard links on this file system: an exclusive create, written in one call.
    try {
      fs.writeFileSync(file, text, { flag: 'wx' });
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw e;
    }
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

/** Moves a stale lock away, unless another process replaced it meanwhile (then it is put back). */
function removeStale(file: string, staleText: string): void {
  const aside = `${file}.${process.pid}.stale`;
  try {
    fs.renameSync(file, aside);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  if (fs.readFileSync(aside, 'utf8') !== staleText) {
    try {
      fs.linkSync(aside, file);
    } catch {
      // Someone locked it again since: theirs stands.
    }
  }
  fs.rmSync(aside, { force: true });
}

/**
 * Locks `file` (see insideLockPath / besideLockPath) for `command` (e.g. "npm run train"); `what`
 * names the folder in messages. A live holder is a one-line DirectoryInUseError (exit 2); a dead
 * one's lock is taken over and `onNote` hears of it. The lock is released by release(), or when the
 * process exits, including on SIGINT/SIGTERM when the command has no handler of its own.
 */
export function acquireLock(file: string, what: string, command: string, onNote: (line: string) => void = console.log): DirLock {
  const holder: LockHolder = { pid: process.pid, host: os.hostname(), command, started: new Date().toISOString(), token: randomBytes(6).toString('hex') };
  const text = JSON.stringify(holder) + '\n';
  for (let attempt = 0; attempt < 5; attempt++) {
    if (tryCreate(file, text)) {
      held.set(file, text);
      watchExit();
      return { file, release: () => releaseOne(file) };
    }
    const found = readHolder(file);
    if (found === null) continue;
    const stale = staleReason(found.holder, file);
    if (stale === null) {
      const h = found.holder!;
      const remote = h.host !== os.hostname() ? `; if it no longer runs, delete ${file}` : '';
      throw new DirectoryInUseError(`${what}: in use by pid ${h.pid} on host ${h.host} (${h.command}, since ${h.started}); wait for it or stop it${remote}`);
    }
    onNote(`note: ${what} was locked by ${stale}; taking it over`);
    removeStale(file, found.text);
  }
  throw new DirectoryInUseError(`${what}: could not take its lock ${file}; another process keeps taking it`);
}

function releaseOne(file: string): void {
  const text = held.get(file);
  if (text === undefined) return;
  held.delete(file);
  try {
    if (fs.readFileSync(file, 'utf8') === text) fs.unlinkSync(file);
  } catch {
    // Already gone (or the folder was removed): nothing to release.
  }
  if (held.size === 0) unwatchExit();
}

function releaseAll(): void {
  for (const file of [...held.keys()]) releaseOne(file);
}

const SIGNALS: Record<'SIGINT' | 'SIGTERM' | 'SIGHUP', number> = { SIGINT: 2, SIGTERM: 15, SIGHUP: 1 };
const signalHandlers = new Map<NodeJS.Signals, () => void>();

/** On a signal no one else handles, release and exit as the signal would (128 + its number); a command's own handler (train's Ctrl-C) releases through its finally. */
function watchExit(): void {
  if (signalHandlers.size > 0) return;
  process.on('exit', releaseAll);
  for (const [signal, number] of Object.entries(SIGNALS) as [NodeJS.Signals, number][]) {
    const handler = () => {
      if (process.listenerCount(signal) > 1) return;
      releaseAll();
      process.exit(128 + number);
    };
    signalHandlers.set(signal, handler);
    process.on(signal, handler);
  }
}

function unwatchExit(): void {
  process.off('exit', releaseAll);
  for (const [signal, handler] of signalHandlers) process.off(signal, handler);
  signalHandlers.clear();
}
