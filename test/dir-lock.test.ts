import { spawn, spawnSync } from 'node:child_process';
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

  it.each([
    ['SIGTERM', 143],
    ['SIGINT', 130],
  ] as const)('is released when the process ends on %s (no handler of its own)', async (signal, code) => {
    const dir = tempDir('lock-signal');
    const script = `import { acquireLock, insideLockPath } from './src/io/dir-lock.ts';
      acquireLock(insideLockPath(process.argv[1]), process.argv[1], 'test');
      console.log('locked');
      setInterval(() => {}, 1000);`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, dir], { cwd: path.resolve(import.meta.dirname, '..'), stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    await new Promise<void>((resolve) => child.stdout.on('data', () => resolve()));
    expect(fs.existsSync(insideLockPath(dir))).toBe(true);
    child.kill(signal);
    expect(await exited).toBe(code);
    expect(fs.readdirSync(dir)).toEqual([]);
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

describe('the commands take the lock', () => {
  it('train --resume, sample into the run, export of a bundle and experiment are refused while another process holds it; the folder is unchanged', async () => {
    const { trainCli } = await import('../src/cli/train-cli.js');
    const { sampleCli } = await import('../src/cli/sample-cli.js');
    const { exportCli } = await import('../src/cli/export-cli.js');
    const { experimentCli } = await import('../src/cli/experiment-cli.js');
    const { oneLineRefusal, tinyTrainArgs } = await import('./helpers.js');
    const run = path.join(tempDir('lock-cmds'), 'run');
    expect(await trainCli(tinyTrainArgs(run, 5))).toBe(0);
    expect(fs.existsSync(insideLockPath(run))).toBe(false);
    // A live process of this host (the test runner's parent) holds the run.
    const holder = { pid: process.ppid, host: os.hostname() };
    writeLock(insideLockPath(run), holder);
    const before = fs.readdirSync(run).sort();
    const inUse = new RegExp(`: in use by pid ${process.ppid} on host `);
    expect((await oneLineRefusal(() => trainCli(['--resume', run, '--steps', '10', '--no-eval']), DirectoryInUseError)).message).toMatch(inUse);
    expect((await oneLineRefusal(() => sampleCli(['--run', run, '--n', '10', '--steps', '2']), DirectoryInUseError)).message).toMatch(inUse);
    expect(fs.readdirSync(run).sort()).toEqual(before);
    // Sampling into a folder elsewhere only reads the run.
    expect(await sampleCli(['--run', run, '--n', '10', '--steps', '2', '--out', path.join(tempDir('lock-cmds-out'), 's')])).toBe(0);

    const bundle = path.join(tempDir('lock-cmds-bundle'), 'b');
    writeLock(besideLockPath(bundle), holder);
    expect((await oneLineRefusal(() => exportCli(['--run', run, '--out', bundle]), DirectoryInUseError)).message).toMatch(inUse);
    expect(fs.existsSync(bundle)).toBe(false);
    fs.rmSync(besideLockPath(bundle));
    expect(await exportCli(['--run', run, '--out', bundle])).toBe(0);
    expect(fs.existsSync(besideLockPath(bundle))).toBe(false);

    const experiment = tempDir('lock-cmds-exp');
    writeLock(insideLockPath(experiment), holder);
    expect((await oneLineRefusal(() => experimentCli(['vp-vs-pbm', '--quick', '--targets', 'gmm', '--dims', '2', '--processes', 'vp', '--widths', '8', '--seeds', '0', '--out', experiment]), DirectoryInUseError)).message).toMatch(inUse);
    expect(fs.readdirSync(experiment)).toEqual(['.lock']);
  });
});
