import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from './helpers.js';

const root = path.resolve(import.meta.dirname, '..');

/** Runs a command script in its own process: the wasm backend is initialised once per process. */
function run(script: string, args: string[]): string {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'scripts', script), ...args], {
    cwd: root,
    encoding: 'utf8',
    timeout: 120_000,
  });
  expect(r.stderr.includes('error:') ? r.stderr : '').toBe('');
  expect(r.status).toBe(0);
  return r.stdout;
}

describe('multithreaded wasm backend', () => {
  it('training and sampling give bit-identical results with 1 and 2 threads', () => {
    const dir = tempDir('threads');
    const outputs = [1, 2].map((threads) => {
      const runDir = path.join(dir, `t${threads}`);
      const stdout = run('train.ts', [
        '--steps', '30', '--width', '32', '--depth', '2', '--batch-size', '256', '--checkpoint-every', '30',
        '--no-eval', '--out', runDir, '--backend', 'wasm', '--threads', String(threads),
      ]);
      expect(stdout).toContain(`backend: wasm (${threads} thread${threads === 1 ? '' : 's'})`);
      const samples = path.join(runDir, 'samples-out');
      run('sample.ts', ['--run', runDir, '--n', '300', '--steps', '20', '--out', samples, '--backend', 'wasm', '--threads', String(threads)]);
      const config = JSON.parse(fs.readFileSync(path.join(runDir, 'config.json'), 'utf8')) as { threads: number };
      expect(config.threads).toBe(threads);
      return {
        checkpoint: fs.readFileSync(path.join(runDir, 'checkpoint.bin')),
        samples: fs.readFileSync(path.join(samples, 'samples.npy')),
      };
    });
    expect(outputs[1]!.checkpoint.equals(outputs[0]!.checkpoint)).toBe(true);
    expect(outputs[1]!.samples.equals(outputs[0]!.samples)).toBe(true);
  }, 240_000);
});
