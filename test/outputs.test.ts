import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { exportCli } from '../src/cli/export-cli.js';
import { sampleCli } from '../src/cli/sample-cli.js';
import { trainCli } from '../src/cli/train-cli.js';
import { UsageError } from '../src/errors.js';
import { writeFolderStaged } from '../src/io/staged-dir.js';
import * as tf from '@tensorflow/tfjs-core';
import { createDataSource } from '../datasets/index.js';
import type { ImageSource } from '../datasets/target.js';
import { resolveSampling } from '../src/config/sampling.js';
import { createProcess } from '../src/process/index.js';
import { evaluateImages } from '../src/run/evaluate-images.js';
import { oneLineRefusal, tempDir, tinyTrainArgs, useWasm } from './helpers.js';

/**
 * Outputs of sample and export: written whole into a temporary folder and
 * renamed into place, never over or beside what a folder already holds.
 */

const FAIL_HOOK = 'SCORE_SDE_TEST_FAIL_STAGED_WRITE';
let run: string;

/** Every file under `dir` with its bytes, to compare a folder before and after. */
function snapshot(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) {
      const file = path.join(entry.parentPath, entry.name);
      files[path.relative(dir, file)] = fs.readFileSync(file).toString('base64');
    }
  }
  return files;
}

/** A folder of the user's own files named like a sampling's, without metrics.json. */
function usersFolder(): string {
  const dir = path.join(tempDir('users'), 'mine');
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'samples.png'), 'my own picture');
  fs.writeFileSync(path.join(dir, 'samples.npy'), Buffer.from([1, 2, 3, 4]));
  return dir;
}

const settings = ['--steps', '3', '--backend', 'wasm', '--threads', '1'];
const sampleFlags = ['--n', '20', ...settings];

beforeAll(async () => {
  run = path.join(tempDir('outputs-run'), 'run');
  expect(await trainCli(tinyTrainArgs(run, 5))).toBe(0);
});

afterEach(() => {
  delete process.env[FAIL_HOOK];
});

describe('sample --out', () => {
  it("refuses a folder holding the user's own samples.png and samples.npy, naming them, and leaves them byte for byte", async () => {
    const out = usersFolder();
    const before = snapshot(out);
    const error = await oneLineRefusal(() => sampleCli(['--run', run, ...sampleFlags, '--out', out]), UsageError);
    expect(error.message).toBe(`--out ${out}: already holds samples.npy, samples.png; choose another --out (a new or empty folder), or move those files away`);
    expect(snapshot(out)).toEqual(before);
  });

  it('refuses a file, and leaves it', async () => {
    const out = path.join(tempDir('file'), 'notes.txt');
    fs.writeFileSync(out, 'keep me');
    const error = await oneLineRefusal(() => sampleCli(['--run', run, ...sampleFlags, '--out', out]), UsageError);
    expect(error.message).toBe(`--out ${out}: exists as a file; give a new folder with --out`);
    expect(fs.readFileSync(out, 'utf8')).toBe('keep me');
  });

  it('writes into an empty folder, and refuses the default folder once it holds anything', async () => {
    const out = path.join(tempDir('empty'), 'out');
    fs.mkdirSync(out);
    expect(await sampleCli(['--run', run, ...sampleFlags, '--out', out])).toBe(0);
    expect(fs.readdirSync(out).sort()).toEqual(['metrics.json', 'samples.npy', 'samples.png']);

    const copy = path.join(tempDir('default'), 'run');
    fs.cpSync(run, copy, { recursive: true });
    const byDefault = path.join(copy, 'samples', 'ema-n20-steps3-seed0');
    fs.mkdirSync(byDefault, { recursive: true });
    fs.writeFileSync(path.join(byDefault, 'note.txt'), 'mine');
    const error = await oneLineRefusal(() => sampleCli(['--run', copy, ...sampleFlags]), UsageError);
    expect(error.message).toBe(`the default output folder ${byDefault}: already holds note.txt; choose another --out (a new or empty folder), or move those files away`);
    expect(fs.readdirSync(byDefault)).toEqual(['note.txt']);
  });

  it('the same sampling again into its default folder is refused, naming the flag that gives a new one, and another --seed runs', async () => {
    const copy = path.join(tempDir('again'), 'run');
    fs.cpSync(run, copy, { recursive: true });
    expect(await sampleCli(['--run', copy, ...sampleFlags])).toBe(0);
    const first = path.join(copy, 'samples', 'ema-n20-steps3-seed0');
    const before = snapshot(first);
    const error = await oneLineRefusal(() => sampleCli(['--run', copy, ...sampleFlags]), UsageError);
    expect(error.message).toBe(
      `the default output folder ${first}: already holds samples (metrics.json, samples.npy, samples.png) from these settings; for new ones give another --seed, or --out (a new or empty folder)`,
    );
    expect(snapshot(first)).toEqual(before);
    expect(await sampleCli(['--run', copy, ...sampleFlags, '--seed', '1'])).toBe(0);
    expect(fs.existsSync(path.join(copy, 'samples', 'ema-n20-steps3-seed1', 'metrics.json'))).toBe(true);
  });

  it('a write that fails midway leaves no folder and no temporary folder behind', async () => {
    const parent = tempDir('fail');
    const out = path.join(parent, 'out');
    process.env[FAIL_HOOK] = '1';
    await expect(sampleCli(['--run', run, ...sampleFlags, '--out', out])).rejects.toThrow(/write failed/);
    expect(fs.readdirSync(parent)).toEqual([]);
  });
});

describe('export --out', () => {
  it("refuses a folder holding the user's files, naming them, and leaves them byte for byte", async () => {
    const out = usersFolder();
    const before = snapshot(out);
    const error = await oneLineRefusal(() => exportCli(['--run', run, '--out', out]), UsageError);
    expect(error.message).toBe(`--out ${out}: already holds samples.npy, samples.png; choose a new or empty directory`);
    expect(snapshot(out)).toEqual(before);
  });

  it('a write that fails midway leaves no partial bundle and no temporary folder behind', async () => {
    const parent = tempDir('fail-export');
    process.env[FAIL_HOOK] = '1';
    await expect(exportCli(['--run', run, '--out', path.join(parent, 'bundle')])).rejects.toThrow(/write failed/);
    expect(fs.readdirSync(parent)).toEqual([]);
  });
});

describe('writeFolderStaged', () => {
  it('on an error after some files are written, removes them and leaves the target absent', async () => {
    const parent = tempDir('staged');
    const target = path.join(parent, 'out');
    await expect(
      writeFolderStaged(target, false, async (dir) => {
        fs.writeFileSync(path.join(dir, 'samples.npy'), 'half');
        throw new Error('ENOSPC: no space left on device');
      }),
    ).rejects.toThrow(/ENOSPC/);
    expect(fs.readdirSync(parent)).toEqual([]);
  });

  it('shows the complete folder only once it is done', async () => {
    const target = path.join(tempDir('staged-ok'), 'out');
    await writeFolderStaged(target, false, async (dir) => {
      fs.writeFileSync(path.join(dir, 'a.txt'), 'a');
      expect(fs.existsSync(target)).toBe(false);
    });
    expect(fs.readdirSync(target)).toEqual(['a.txt']);
  });

  it('with replace, puts the new folder where an occupied one was, and only the new files remain', async () => {
    const parent = tempDir('staged-replace');
    const target = path.join(parent, 'out');
    fs.mkdirSync(target);
    fs.writeFileSync(path.join(target, 'old.txt'), 'old');
    await expect(writeFolderStaged(target, false, async (dir) => fs.writeFileSync(path.join(dir, 'a.txt'), 'a'))).rejects.toThrow(/filled by another process/);
    expect(fs.readdirSync(target)).toEqual(['old.txt']);
    await writeFolderStaged(target, true, async (dir) => fs.writeFileSync(path.join(dir, 'a.txt'), 'a'));
    expect(fs.readdirSync(target)).toEqual(['a.txt']);
    expect(fs.readdirSync(parent)).toEqual(['out']);
  });
});

describe('refused before the work starts', () => {
  it('--n 1: the metrics need at least 2 samples', async () => {
    const out = path.join(tempDir('n1'), 'out');
    const error = await oneLineRefusal(() => sampleCli(['--run', run, ...settings, '--n', '1', '--out', out]), UsageError);
    expect(error.message).toMatch(/^--n '1': expected an integer from 2 to 10000 \(the metrics need 2 samples/);
    expect(fs.existsSync(out)).toBe(false);
  });

  it('train --classifier naming a folder without a classifier: refused before training, no run directory made', async () => {
    const parent = tempDir('cls');
    const missing = path.join(parent, 'nowhere');
    const out = path.join(parent, 'run');
    const error = await oneLineRefusal(() => trainCli(['--target', 'mnist', '--steps', '1', '--classifier', missing, '--out', out]), UsageError);
    expect(error.message).toBe(
      `--classifier ${missing}: no classifier there (classifier.json is missing); run npm run classifier -- --out ${missing} first, or --no-eval`,
    );
    expect(fs.readdirSync(parent)).toEqual([]);
  });

  it('the default classifier may be missing: the samples are written whole, with a note instead of the image metrics', async () => {
    await useWasm();
    const source = createDataSource('mnist', { subset: 16 }) as ImageSource;
    const vp = createProcess('vp');
    const { n, settings } = resolveSampling({ n: 3, steps: 2 }, { target: source, process: vp, seed: 0 });
    const out = path.join(tempDir('note'), 'out');
    const result = await evaluateImages({
      source,
      path: vp,
      score: (x) => tf.zerosLike(x),
      scoreSource: 'zero score',
      n,
      sampler: settings,
      outDir: out,
      classifierDir: path.join(out, 'none'),
    });
    expect(result.note).toMatch(/^no such folder .*; run npm run classifier first/);
    expect(fs.readdirSync(out).sort()).toEqual(['metrics.json', 'samples.npy', 'samples.png']);
    expect(JSON.parse(fs.readFileSync(path.join(out, 'metrics.json'), 'utf8')).image_metrics_skipped).toBe(result.note);
  });
});
