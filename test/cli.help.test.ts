import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BENCH_COMMAND } from '../src/cli/bench-cli.js';
import { CLASSIFIER_COMMAND } from '../src/cli/classifier-cli.js';
import { commandParser, type CommandSpec } from '../src/cli/command-line.js';
import { DIAGNOSE_COMMAND } from '../src/cli/diagnose-cli.js';
import { EXPERIMENT_COMMAND } from '../src/cli/experiment-cli.js';
import { EXPORT_COMMAND } from '../src/cli/export-cli.js';
import { PACK_COMMAND } from '../src/cli/pack-cli.js';
import { REPORT_COMMAND } from '../src/cli/report-cli.js';
import { SAMPLE_COMMAND } from '../src/cli/sample-cli.js';
import { TRAIN_COMMAND } from '../src/cli/train-cli.js';
import { sampleCli } from '../src/cli/sample-cli.js';

const root = path.resolve(import.meta.dirname, '..');
const COMMANDS: CommandSpec<never>[] = [TRAIN_COMMAND, SAMPLE_COMMAND, EXPORT_COMMAND, DIAGNOSE_COMMAND, EXPERIMENT_COMMAND, BENCH_COMMAND, CLASSIFIER_COMMAND, PACK_COMMAND, REPORT_COMMAND] as never;
const help = (spec: CommandSpec<never>) => commandParser(spec, []).getHelp();
/** A flag's entry in --help: its line and the wrapped lines under it. */
const entry = (text: string, flag: string) => text.slice(text.search(new RegExp(`\\n\\s+--${flag}\\s`)) + 1).split(/\n(?=\s+-)/)[0]!;

describe('--help of every command', () => {
  it.each(COMMANDS.map((c) => [c.name, c] as const))('%s: -h, --version, examples, numbers as [number], no glued columns', async (_, spec) => {
    const text = await help(spec);
    expect(text).toMatch(/-h, --help/);
    expect(text).toMatch(/--version/);
    const examples = text.slice(text.indexOf('\nExamples:\n'));
    expect(text).toContain('\nExamples:\n');
    expect(examples.split('\n').filter((l) => l.includes(`npm run ${spec.name} --`)).length).toBeGreaterThanOrEqual(2);
    // A description and its [type] column never run together ("--no-denoise skips[boolean]").
    expect(text.split('\n').filter((l) => /\S\[(boolean|number|string)\]/.test(l))).toEqual([]);
  });

  it('numeric flags show as [number], text flags as [string], and both stay text when parsed', async () => {
    const text = await help(TRAIN_COMMAND as never);
    for (const flag of ['steps', 'lr', 'seed', 'replicas']) expect(entry(text, flag)).toContain('[number]');
    for (const flag of ['target', 'channels', 'out']) expect(entry(text, flag)).toContain('[string]');
    const args = await commandParser(TRAIN_COMMAND, ['--steps', '1e3', '--lr', '007']).parseAsync();
    expect([args['steps'], args['lr']]).toEqual(['1e3', '007']);
  });

  it('sample: a missing --run is named with what it takes', async () => {
    await expect(sampleCli([])).rejects.toThrow(/^--run is required: the run directory written by npm run train \(or --bundle BUNDLE\)$/);
  });

  it('-h and --version work from the command line, exit 0', () => {
    const version = (JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }).version;
    const h = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/sample.ts', '-h'], { cwd: root, encoding: 'utf8' });
    expect(h.status).toBe(0);
    expect(h.stdout).toMatch(/^npm run sample -- --run DIR/);
    const v = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/train.ts', '--version'], { cwd: root, encoding: 'utf8' });
    expect([v.status, v.stdout.trim()]).toEqual([0, version]);
  });
});
