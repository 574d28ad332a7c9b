import * as fs from 'node:fs';
import * as path from 'node:path';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { trainCli } from '../src/cli/train-cli.js';
import { readNpySync } from '../src/io/npy.js';
import { collectRunReport } from '../src/report/run-data.js';
import { tempDir } from './helpers.js';

describe('snapshots of an image target', () => {
  it('are a 4 x 4 grid of 16 images and their samples, shown in the report', async () => {
    const run = path.join(tempDir('report-mnist'), 'run');
    const tiny = ['--target', 'mnist', '--subset', '64', '--channels', '8,8', '--groups', '4', '--batch-size', '8', '--backend', 'wasm', '--threads', '1'];
    expect(await trainCli([...tiny, '--steps', '2', '--checkpoint-every', '2', '--snapshot-every', '2', '--no-eval', '--out', run])).toBe(0);
    const png = PNG.sync.read(fs.readFileSync(path.join(run, 'snapshots', 'step-2.png')));
    // 4 cells of 28 pixels and 5 separators of 2 each way.
    expect([png.width, png.height]).toEqual([4 * 28 + 5 * 2, 4 * 28 + 5 * 2]);
    const npy = readNpySync(path.join(run, 'snapshots', 'step-2.npy'));
    expect(npy.shape).toEqual([16, 784]);
    expect(collectRunReport(run).snapshots).toEqual([{ step: 2, png: 'snapshots/step-2.png' }]);
    expect(fs.readFileSync(path.join(run, 'report.html'), 'utf8')).toContain('alt="samples at step 2"');
  });
});
