import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { entryArgs, moduleEntry } from '../src/platform/module-entry.js';
import { tempDir } from './helpers.js';

/**
 * Child processes (the experiment's parallel jobs, the GPU check's parts) and worker threads (data-parallel
 * replicas) start the project's TypeScript through tsx's loader. They must do so from any working
 * directory: a device pack is run from wherever it was unpacked to, not from the project.
 */
describe('entry points start from any working directory', () => {
  it('a child process: entryArgs names the loader by its file, not by a name resolved from the working directory', () => {
    const elsewhere = tempDir('entry-cwd');
    const r = spawnSync(process.execPath, [...entryArgs(moduleEntry('../scripts/train', import.meta.url)), '--help'], { cwd: elsewhere, encoding: 'utf8', timeout: 60_000 });
    expect(r.stderr).not.toContain('ERR_MODULE_NOT_FOUND');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('--replicas');
  }, 60_000);

  it('worker threads: training with 2 replicas from another folder', () => {
    const elsewhere = tempDir('entry-cwd');
    const out = path.join(elsewhere, 'run');
    const args = ['--steps', '2', '--width', '16', '--depth', '1', '--batch-size', '64', '--replicas', '2', '--no-eval', '--backend', 'wasm', '--threads', '1', '--out', out];
    const r = spawnSync(process.execPath, [...entryArgs(moduleEntry('../scripts/train', import.meta.url)), ...args], { cwd: elsewhere, encoding: 'utf8', timeout: 120_000 });
    expect(r.stderr).not.toContain('failed to start');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`run directory: ${out}`);
  }, 120_000);
});
