import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CheckpointError, decodeCheckpoint, encodeCheckpoint, readCheckpoint, type ArrayGroups, type Checkpoint } from '../src/checkpoint.js';
import { exportCli } from '../src/cli/export-cli.js';
import { sampleCli } from '../src/cli/sample-cli.js';
import { trainCli } from '../src/cli/train-cli.js';
import { Rng } from '../src/rng.js';
import { writeCheckpointV1 } from './checkpoint-v1.js';
import { copyToTempDir, oneLineRefusal, tempDir, tinyTrainArgs } from './helpers.js';

const root = path.resolve(import.meta.dirname, '..');
let runDir: string;

const copyRun = (name: string) => copyToTempDir(runDir, name, 'run');

function ckptFile(run: string): string {
  return path.join(run, 'checkpoint.bin');
}

/** Every file under dir with its bytes, to show that a refused command wrote nothing. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) out[path.relative(dir, path.join(entry.parentPath, entry.name))] = fs.readFileSync(path.join(entry.parentPath, entry.name)).toString('base64');
  }
  return out;
}

/** The checkpoint's own tensors as array groups, so encodeCheckpoint writes them back unchanged. */
function groupsOf(ckpt: Checkpoint): ArrayGroups {
  const groups: ArrayGroups = {};
  for (const t of ckpt.header.tensors) {
    const slash = t.name.indexOf('/');
    const values = ckpt.data.slice(t.offset, t.offset + t.shape.reduce((a, b) => a * b, 1));
    (groups[t.name.slice(0, slash)] ??= []).push({ name: t.name.slice(slash + 1), shape: t.shape, read: () => values, write: () => {} });
  }
  return groups;
}

/** Sets one EMA weight to NaN, in a file of the given format version (2 with a valid checksum). */
function poisonWeight(file: string, version: 1 | 2): void {
  const ckpt = readCheckpoint(file);
  const entry = ckpt.header.tensors.find((t) => t.name === 'ema/dense0/kernel')!;
  ckpt.data[entry.offset + 3] = NaN;
  if (version === 1) writeCheckpointV1(file, ckpt.header, ckpt.data);
  else fs.writeFileSync(file, encodeCheckpoint(ckpt.header.step, groupsOf(ckpt), ckpt.header.meta));
}

/** XORs `count` distinct bytes past the fixed prefix (magic, version, lengths): the length stays the same. */
function flipBytes(file: string, count: number): void {
  const bytes = fs.readFileSync(file);
  const rng = Rng.fromSeed(3);
  const picked = new Set<number>();
  while (picked.size < count) picked.add(24 + Math.floor(rng.uniform() * (bytes.length - 24)));
  for (const i of picked) bytes[i] ^= 0xff;
  fs.writeFileSync(file, bytes);
}

/** The one-line CheckpointError a call rejects with. */
const refusal = (call: () => Promise<unknown>) => oneLineRefusal(call, CheckpointError);

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

beforeAll(async () => {
  runDir = path.join(tempDir('damage'), 'run');
  expect(await trainCli(tinyTrainArgs(runDir, 10))).toBe(0);
});

describe('a damaged checkpoint.bin is named as damaged, not trained on', () => {
  it('1000 flipped bytes (same length): resume, sample and export refuse it in one line, and nothing is written', async () => {
    const run = copyRun('flipped');
    const file = ckptFile(run);
    const size = fs.statSync(file).size;
    flipBytes(file, 1000);
    expect(fs.statSync(file).size).toBe(size);
    const before = snapshot(run);
    const message = new RegExp(`^${escape(file)}: damaged: its contents do not match the SHA-256 checksum written with it; restore it from a copy, or train again \\(no earlier checkpoint is kept\\)$`);
    expect((await refusal(() => trainCli(['--resume', run, '--steps', '20']))).message).toMatch(message);
    expect((await refusal(() => sampleCli(['--run', run, '--n', '10', '--steps', '2', '--out', path.join(tempDir('flipped-out'), 's')]))).message).toMatch(message);
    expect((await refusal(() => exportCli(['--run', run, '--out', path.join(tempDir('flipped-bundle'), 'b')]))).message).toMatch(message);
    expect(snapshot(run)).toEqual(before);
  });

  it('a single flipped bit is caught as well', () => {
    const bytes = new Uint8Array(fs.readFileSync(ckptFile(runDir)));
    bytes[bytes.length - 100]! ^= 1;
    expect(() => decodeCheckpoint(bytes, 'f.bin')).toThrow(/^f\.bin: damaged: its contents do not match the SHA-256 checksum/);
  });

  it.each([1, 2] as const)('a NaN weight in a version %i file: resume and sample refuse it, naming the tensor', async (version) => {
    const run = copyRun(`nan-v${version}`);
    const file = ckptFile(run);
    poisonWeight(file, version);
    const message = new RegExp(`^${escape(file)}: damaged: tensor ema/dense0/kernel holds NaN or Infinity, which training never saves; restore it from a copy, or train again`);
    expect((await refusal(() => trainCli(['--resume', run, '--steps', '20']))).message).toMatch(message);
    expect((await refusal(() => sampleCli(['--run', run, '--n', '10', '--steps', '2', '--out', path.join(tempDir('nan-out'), 's')]))).message).toMatch(message);
  });

  it('the sample command exits 2 with one line and no stack trace', () => {
    const run = copyRun('flipped-cli');
    flipBytes(ckptFile(run), 1000);
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/sample.ts', '--run', run, '--n', '10', '--steps', '2', '--backend', 'cpu'], { cwd: root, encoding: 'utf8' });
    expect(result.status).toBe(2);
    expect(result.stderr.trim().split('\n')).toEqual([`error: ${ckptFile(run)}: damaged: its contents do not match the SHA-256 checksum written with it; restore it from a copy, or train again (no earlier checkpoint is kept)`]);
  });
});

describe('checkpoints written before the checksum (format version 1)', () => {
  it('decode to the same header and data', () => {
    const current = readCheckpoint(ckptFile(runDir));
    const run = copyRun('v1-decode');
    writeCheckpointV1(ckptFile(run), current.header, current.data);
    const old = readCheckpoint(ckptFile(run));
    expect(old.header).toEqual({ ...current.header, version: 1 });
    expect(Buffer.from(old.data.buffer).equals(Buffer.from(current.data.buffer))).toBe(true);
  });

  it('resume and sample to the same bytes as a current checkpoint', async () => {
    const current = copyRun('v2-resume');
    const old = copyRun('v1-resume');
    const ckpt = readCheckpoint(ckptFile(old));
    writeCheckpointV1(ckptFile(old), ckpt.header, ckpt.data);
    for (const run of [current, old]) expect(await trainCli(['--resume', run, '--steps', '15', '--no-eval'])).toBe(0);
    const [a, b] = [readCheckpoint(ckptFile(current)), readCheckpoint(ckptFile(old))];
    expect(b.header).toEqual(a.header);
    expect(Buffer.from(b.data.buffer).equals(Buffer.from(a.data.buffer))).toBe(true);
    // The resumed run is written in the current format.
    expect(new DataView(fs.readFileSync(ckptFile(old)).buffer).getUint32(8, true)).toBe(2);

    writeCheckpointV1(ckptFile(old), b.header, b.data);
    const samples: Buffer[] = [];
    for (const run of [current, old]) {
      const out = path.join(tempDir('v1-sample'), 's');
      expect(await sampleCli(['--run', run, '--n', '20', '--steps', '3', '--backend', 'wasm', '--threads', '1', '--out', out])).toBe(0);
      samples.push(fs.readFileSync(path.join(out, 'samples.npy')));
    }
    expect(samples[1]!.equals(samples[0]!)).toBe(true);
  });
});
