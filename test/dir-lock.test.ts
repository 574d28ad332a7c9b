import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { acquireLock, besideLockPath, DirectoryInUseError, insideLockPath } from '../src/io/dir-lock.js';
import { tempDir } from './temp-dirs.js';

/** The pid of a process that has ended. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', '']);
  return r.pid!;
}

function writeLock(file: string, holder: Record<string, unknown>): void {
  fs.writeFileSync(file, JSON.stringify({ command: 'npm run train', started: '2026-01-01T00:00:00.000Z', token: 'x', ...holder }) + '\n');
}

describe('dir-lock', () => {
  it('records the holder, refuses a second holding with one line naming it, and releases', () => {
    const dir = tempDir('lock');
    const lock = acquireLock(insideLockPath(dir), dir, 'npm run train');
    const holder = JSON.parse(fs.readFileSync(path.join(dir, '.lock'), 'utf8'));
    expect(holder).toMatchObject({ pid: process.pid, host: os.hostname(), command: 'npm run train' });
    let error: unknown;
    try {
      acquireLock(insideLockPath(dir), dir, 'npm run sample');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DirectoryInUseError);
    expect((error as Error).message).toBe(`${dir}: in use by pid ${process.pid} on host ${os.hostname()} (npm run train, since ${holder.started}); wait for it or stop it`);
    lock.release();
    lock.release();
    expect(fs.readdirSync(dir)).toEqual([]);
    acquireLock(insideLockPath(dir), dir, 'npm run sample').release();
  });

  it('takes over the lock of a dead process on this host, with a note', () => {
    const dir = tempDir('lock-stale');
    const pid = deadPid();
    writeLock(insideLockPath(dir), { pid, host: os.hostname() });
    const notes: string[] = [];
    const lock = acquireLock(insideLockPath(dir), dir, 'npm run train', (line) => notes.push(line));
    expect(notes).toEqual([`note: ${dir} was locked by process ${pid}, which no longer runs; taking it over`]);
    expect(JSON.parse(fs.readFileSync(lock.file, 'utf8')).pid).toBe(process.pid);
    lock.release();
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('refuses a lock held on another host (it cannot tell whether that process runs) and says how to clear it', () => {
    const dir = tempDir('lock-remote');
    writeLock(insideLockPath(dir), { pid: deadPid(), host: 'another-host' });
    expect(() => acquireLock(insideLockPath(dir), dir, 'npm run train')).toThrow(/in use by pid \d+ on host another-host .*; if it no longer runs, delete .*\.lock$/);
    expect(fs.existsSync(insideLockPath(dir))).toBe(true);
  });

  it('locks a folder still to be made from beside it', () => {
    const parent = tempDir('lock-beside');
    const bundle = path.join(parent, 'bundle');
    const lock = acquireLock(besideLockPath(bundle), bundle, 'npm run export');
    expect(fs.readdirSync(parent)).toEqual(['bundle.lock']);
    expect(() => acquireLock(besideLockPath(`${bundle}/`), bundle, 'npm run export')).toThrow(DirectoryInUseError);
    lock.release();
    expect(fs.readdirSync(parent)).toEqual([]);
  });
});
