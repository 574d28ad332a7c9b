import * as fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import { makeDir } from './out-place.js';

/**
 * What a target folder holds, or null when it is free (missing, or an empty
 * folder). `file`: the path is something other than a folder.
 */
export function occupantsOf(target: string): { kind: 'file' } | { kind: 'folder'; names: string[] } | null {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(target);
  } catch {
    return null;
  }
  if (!stat.isDirectory()) return { kind: 'file' };
  const names = fs.readdirSync(target).sort();
  return names.length === 0 ? null : { kind: 'folder', names };
}

/** "samples.npy, samples.png" or "a.txt, b.txt and 4 more": what a refusal says a folder holds. */
export function describeOccupants(names: string[], shown = 3): string {
  const head = names.slice(0, shown).join(', ');
  return names.length > shown ? `${head} and ${names.length - shown} more` : head;
}

/**
 * Set by the tests only: fail a staged write after its files are written and
 * before the rename, as a full disk would, to show nothing partial is left.
 */
const FAIL_HOOK = 'SCORE_SDE_TEST_FAIL_STAGED_WRITE';

function stagingFolderFor(target: string): string {
  const parent = dirname(target);
  makeDir(parent, '');
  const staging = join(parent, `.${basename(target)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  fs.mkdirSync(staging);
  return staging;
}

/**
 * The staged folder, complete, takes the target's place (an empty target folder is replaced; an
 * occupied one only with `replace`, moved aside first and removed once the new one is in place).
 */
function moveIntoPlace(staging: string, target: string, replace: boolean): void {
  if (process.env[FAIL_HOOK] === '1') throw new Error(`${target}: write failed (test hook ${FAIL_HOOK})`);
  if (occupantsOf(target) !== null) {
    if (!replace) throw new Error(`${target}: filled by another process while this one wrote; its new files are discarded`);
    const aside = join(dirname(target), `.${basename(target)}.old-${process.pid}-${randomBytes(4).toString('hex')}`);
    fs.renameSync(target, aside);
    fs.renameSync(staging, target);
    discard(aside);
    return;
  }
  if (fs.existsSync(target)) fs.rmdirSync(target);
  fs.renameSync(staging, target);
}

function discard(staging: string): void {
  try {
    fs.rmSync(staging, { recursive: true, force: true });
  } catch {
    // Best effort: the error being reported matters more.
  }
}

/**
 * Writes a folder so that the target path only ever shows nothing or the
 * complete folder: `write` fills a temporary sibling (dot-prefixed, so listings
 * skip it; beside the target, so the rename never crosses a file system), which
 * is renamed into place when `write` is done. If anything fails the temporary
 * folder is removed and the target is left as it was. The target must be free
 * (missing or empty; callers refuse an occupied one before the work starts), or
 * with `replace` the old folder is moved aside and removed once the new one is in place.
 */
export async function writeFolderStaged<T>(target: string, replace: boolean, write: (dir: string) => Promise<T>): Promise<T> {
  const staging = stagingFolderFor(target);
  try {
    const result = await write(staging);
    moveIntoPlace(staging, target, replace);
    return result;
  } catch (err) {
    discard(staging);
    throw err;
  }
}

/** Synchronous variant of {@link writeFolderStaged}, with the same guarantees. */
export function writeFolderStagedSync<T>(target: string, write: (dir: string) => T): T {
  const staging = stagingFolderFor(target);
  try {
    const result = write(staging);
    moveIntoPlace(staging, target, false);
    return result;
  } catch (err) {
    discard(staging);
    throw err;
  }
}
