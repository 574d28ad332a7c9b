import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { experimentCli } from '../src/cli/experiment-cli.js';
import { exportCli } from '../src/cli/export-cli.js';
import { sampleCli } from '../src/cli/sample-cli.js';
import { trainCli } from '../src/cli/train-cli.js';
import { readCheckpoint } from '../src/checkpoint.js';
import { UsageError } from '../src/errors.js';
import { oneLineRefusal, tempDir, tinyTrainArgs } from './helpers.js';
import { mountTmpfs, tmpfsUnavailable, unmount } from './tmpfs.js';

/**
 * Paths that cannot hold outputs, and file-system failures: each a one-line error naming the
 * flag or file (exit 2), never a hang, a stack trace or a wrong cause (ENOENT for a read-only disk).
 */

const root = path.resolve(import.meta.dirname, '..');
let run: string;

beforeAll(async () => {
  run = path.join(tempDir('syserr-run'), 'run');
  expect(await trainCli(tinyTrainArgs(run, 5))).toBe(0);
});

const canMount = tmpfsUnavailable() === null;
const isRoot = process.getuid?.() === 0;

function cli(script: string, args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', `scripts/${script}.ts`, ...args], { cwd: root, encoding: 'utf8', timeout: 120_000 });
}

describe('--out under a kernel file system (/proc, /sys): refused at once, no hang', () => {
  const special = /^--out \/(proc|sys)\/x[^ ]*: \/(proc|sys) is a special file system of the kernel, not a place for files; choose a folder on a disk$/;

  it('train, sample, export and experiment', async () => {
    expect((await oneLineRefusal(() => trainCli(tinyTrainArgs('/proc/x/run', 5)), UsageError)).message).toMatch(special);
    expect((await oneLineRefusal(() => sampleCli(['--run', run, '--n', '10', '--steps', '2', '--out', '/proc/x']), UsageError)).message).toMatch(special);
    expect((await oneLineRefusal(() => exportCli(['--run', run, '--out', '/proc/x/bundle']), UsageError)).message).toMatch(special);
    expect((await oneLineRefusal(() => experimentCli(['vp-vs-pbm', '--quick', '--out', '/sys/x']), UsageError)).message).toMatch(special);
  });

  it('as a process: exit 2, one line', () => {
    const r = cli('train', tinyTrainArgs('/proc/x/run', 5));
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^error: --out \/proc\/x\/run: \/proc is a special file system/)]);
  });
});

describe('--out an existing regular file, or a path through one', () => {
  it('is refused naming the file', async () => {
    const file = path.join(tempDir('syserr-file'), 'file');
    fs.writeFileSync(file, 'mine\n');
    expect((await oneLineRefusal(() => sampleCli(['--run', run, '--n', '10', '--steps', '2', '--out', file]), UsageError)).message).toBe(`--out ${file}: exists as a file; give a new folder with --out`);
    expect((await oneLineRefusal(() => sampleCli(['--run', run, '--n', '10', '--steps', '2', '--out', `${file}/sub`]), UsageError)).message).toBe(
      `--out ${file}/sub: ${file} is a file, not a folder`,
    );
    expect((await oneLineRefusal(() => trainCli(tinyTrainArgs(`${file}/run`, 5)), UsageError)).message).toBe(`--out ${file}/run: ${file} is a file, not a folder`);
    expect((await oneLineRefusal(() => exportCli(['--run', run, '--out', `${file}/b`]), UsageError)).message).toBe(`--out ${file}/b: ${file} is a file, not a folder`);
    expect(fs.readFileSync(file, 'utf8')).toBe('mine\n');
  });
});

describe('a folder that cannot be written', () => {
  // As root, permission bits do not stop writes: there a read-only tmpfs stands in for the read-only disk.
  it.skipIf(isRoot)('(not root) a folder without write permission is refused naming it', async () => {
    const dir = tempDir('syserr-ro');
    fs.chmodSync(dir, 0o555);
    try {
      expect((await oneLineRefusal(() => trainCli(tinyTrainArgs(path.join(dir, 'run'), 5)), UsageError)).message).toBe(`--out ${dir}/run: no permission to write in ${dir}`);
    } finally {
      fs.chmodSync(dir, 0o755);
    }
  });

  it.skipIf(!canMount)('(root, may mount) a read-only file system is named as such, not as ENOENT', async () => {
    const dir = mountTmpfs('ro,size=64k')!;
    try {
      expect((await oneLineRefusal(() => trainCli(tinyTrainArgs(path.join(dir, 'a', 'run'), 5)), UsageError)).message).toBe(`--out ${dir}/a/run: ${dir} is on a read-only file system`);
      expect((await oneLineRefusal(() => sampleCli(['--run', run, '--n', '10', '--steps', '2', '--out', `${dir}/s`]), UsageError)).message).toBe(
        `--out ${dir}/s: ${dir} is on a read-only file system`,
      );
      expect((await oneLineRefusal(() => exportCli(['--run', run, '--out', `${dir}/b`]), UsageError)).message).toBe(`--out ${dir}/b: ${dir} is on a read-only file system`);
    } finally {
      unmount(dir);
    }
  });
});

describe('a full disk', () => {
  // A checkpoint of this network is about 309 KB: the first fits in 512 KB, the second's temporary copy beside it does not.
  it.skipIf(!canMount)('(root, may mount) names the file, keeps the previous checkpoint, exit 2, one line', () => {
    const dir = mountTmpfs('size=512k')!;
    try {
      const out = path.join(dir, 'run');
      const r = cli('train', ['--width', '128', '--depth', '2', '--steps', '30', '--checkpoint-every', '5', '--no-eval', '--backend', 'wasm', '--threads', '1', '--out', out]);
      expect(r.status).toBe(2);
      // stderr also carries the progress bar; the error is its one last line, without a stack trace.
      expect(r.stderr.trim().split('\n').at(-1)).toBe(`error: disk full writing ${out}/checkpoint.bin; the previous checkpoint (step 5) is kept`);
      expect(r.stderr).not.toMatch(/^\s+at /m);
      expect(readCheckpoint(path.join(out, 'checkpoint.bin')).header.step).toBe(5);
      expect(fs.readdirSync(out).sort()).toEqual(['checkpoint.bin', 'config.json', 'report.html']);
    } finally {
      unmount(dir);
    }
  });
});
