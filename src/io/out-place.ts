import * as fs from 'node:fs';
import * as path from 'node:path';
import { UsageError } from '../errors.js';
import { withFile } from './fs-errors.js';

/**
 * Where a command may create a folder. Checked before any work: a recursive mkdir under /proc
 * never returns (it loops at 100% CPU), and on a read-only file system it fails with ENOENT,
 * which names the wrong cause.
 */

/** Kernel file systems (statfs magic numbers): they hold no user files. */
const SPECIAL_FS: Record<number, string> = {
  0x9fa0: 'proc',
  0x62656572: 'sysfs',
  0x1cd1: 'devpts',
  0x64626720: 'debugfs',
  0x74726163: 'tracefs',
  0x73636673: 'securityfs',
  0x27e0eb: 'cgroup',
  0x63677270: 'cgroup2',
  0x62656570: 'configfs',
  0xcafe4a11: 'bpf',
  0x6165676c: 'pstore',
  0xde5e81e4: 'efivarfs',
  0x65735543: 'fusectl',
};
/** Mount points of kernel file systems on Linux (/dev is often an ordinary tmpfs, so its type alone does not tell). */
const SPECIAL_ROOTS = ['/proc', '/sys', '/dev'];

/** The nearest folder (or file) on the way up from `dir` that exists, and its real path. */
function nearestExisting(dir: string): { existing: string; stat: fs.Stats } {
  let p = path.resolve(dir);
  for (;;) {
    try {
      return { existing: p, stat: fs.statSync(p) };
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const parent = path.dirname(p);
      // ENOTDIR: a file on the way; the loop goes up to it.
      if ((code !== 'ENOENT' && code !== 'ENOTDIR') || parent === p) throw withFile(err, p);
      p = parent;
    }
  }
}

function specialFileSystem(existing: string): string | null {
  const real = fs.realpathSync(existing);
  const root = SPECIAL_ROOTS.find((r) => real === r || real.startsWith(`${r}/`));
  if (root !== undefined) return root;
  try {
    const name = SPECIAL_FS[fs.statfsSync(real).type];
    return name === undefined ? null : `${real} (${name})`;
  } catch {
    return null;
  }
}

/**
 * Refuses, as a one-line UsageError naming the flag (none: `flag` '', the folder alone), a folder `dir` that cannot be made or written:
 * one under a kernel file system (/proc, /sys, /dev), an existing file, a file on the way, a
 * read-only file system, a folder without write permission.
 */
export function checkOutPlace(dir: string, flag: string): void {
  const what = flag === '' ? dir : `${flag} ${dir}`;
  const { existing, stat } = nearestExisting(dir);
  const special = specialFileSystem(existing);
  if (special !== null) throw new UsageError(`${what}: ${special} is a special file system of the kernel, not a place for files; choose a folder on a disk`);
  if (!stat.isDirectory()) {
    throw new UsageError(existing === path.resolve(dir) ? `${what}: exists and is a file, not a folder` : `${what}: ${existing} is a file, not a folder`);
  }
  try {
    fs.accessSync(existing, fs.constants.W_OK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EROFS') throw new UsageError(`${what}: ${existing} is on a read-only file system`);
    if (code === 'EACCES' || code === 'EPERM') throw new UsageError(`${what}: no permission to write in ${existing}`);
    throw withFile(err, existing);
  }
}

/** mkdir -p with the checks of checkOutPlace, one level at a time (bounded by the path's depth). */
export function makeDir(dir: string, flag: string): void {
  checkOutPlace(dir, flag);
  const missing: string[] = [];
  for (let p = path.resolve(dir); !fs.existsSync(p); p = path.dirname(p)) missing.unshift(p);
  for (const p of missing) {
    try {
      fs.mkdirSync(p);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || !fs.statSync(p).isDirectory()) throw withFile(err, p);
    }
  }
}
