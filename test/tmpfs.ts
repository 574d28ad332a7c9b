import { spawnSync } from 'node:child_process';
import { tempDir } from './temp-dirs.js';

/** Mounts a small tmpfs at a fresh folder (read-only, or of `size`); null where this machine does not allow it (not root, no CAP_SYS_ADMIN). */
export function mountTmpfs(options: string): string | null {
  const dir = tempDir('mount');
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir], { encoding: 'utf8' });
  return r.status === 0 ? dir : null;
}

export function unmount(dir: string): void {
  spawnSync('umount', [dir]);
}

/** Why a small tmpfs cannot be mounted here, or null when it can. */
export function tmpfsUnavailable(): string | null {
  if (process.platform !== 'linux') return 'not Linux';
  if (process.getuid?.() !== 0) return 'not root';
  const dir = mountTmpfs('size=64k');
  if (dir === null) return 'mount -t tmpfs refused (no CAP_SYS_ADMIN)';
  unmount(dir);
  return null;
}
