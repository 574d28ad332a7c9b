import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readJsonFile, readJsonFileSync, writeFileAtomic, writeFileAtomicSync } from '../src/io/atomic.js';

const root = mkdtempSync(join(tmpdir(), 'atomic-test-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function freshDir(name: string): string {
  return mkdtempSync(join(root, `${name}-`));
}

describe.each([
  ['writeFileAtomic', writeFileAtomic],
  ['writeFileAtomicSync', writeFileAtomicSync],
] as const)('%s', (_name, write) => {
  it('writes text and bytes, leaving only the target file', async () => {
    const d = freshDir('plain');
    await write(join(d, 'a.txt'), 'hello ✓');
    await write(join(d, 'b.bin'), Uint8Array.of(0, 1, 255));
    expect(readdirSync(d).sort()).toEqual(['a.txt', 'b.bin']);
    expect(readFileSync(join(d, 'a.txt'), 'utf8')).toBe('hello ✓');
    expect(Array.from(readFileSync(join(d, 'b.bin')))).toEqual([0, 1, 255]);
  });

  it('replaces existing content, also with shorter content', async () => {
    const d = freshDir('replace');
    const path = join(d, 'f.json');
    writeFileSync(path, 'x'.repeat(1000));
    await write(path, '{"a":1}');
    expect(readFileSync(path, 'utf8')).toBe('{"a":1}');
    expect(readdirSync(d)).toEqual(['f.json']);
  });

  it('fails without leaving a temporary file when the target cannot be replaced', async () => {
    const d = freshDir('fail');
    // A non-empty directory cannot be renamed over, so the final step fails.
    const occupied = join(d, 'occupied');
    mkdirSync(occupied);
    writeFileSync(join(occupied, 'keep'), 'x');
    await expect(Promise.resolve().then(() => write(occupied, 'data'))).rejects.toThrow();
    expect(readdirSync(d)).toEqual(['occupied']);
    expect(readdirSync(occupied)).toEqual(['keep']);
  });

  it('throws when the directory does not exist', async () => {
    await expect(Promise.resolve().then(() => write(join(root, 'missing', 'x.txt'), 'data'))).rejects.toThrow(/ENOENT/);
  });
});

describe('readJsonFile', () => {
  it('parses JSON and names the file on a syntax error', async () => {
    const d = freshDir('json');
    const good = join(d, 'good.json');
    const bad = join(d, 'bad.json');
    writeFileAtomicSync(good, JSON.stringify({ step: 3, loss: [1, 2] }));
    writeFileSync(bad, '{"step": ');
    expect(readJsonFileSync(good)).toEqual({ step: 3, loss: [1, 2] });
    expect(await readJsonFile(good)).toEqual({ step: 3, loss: [1, 2] });
    expect(() => readJsonFileSync(bad)).toThrow(`invalid JSON in ${bad}`);
    await expect(readJsonFile(bad)).rejects.toThrow(`invalid JSON in ${bad}`);
  });
});
