import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Layers point one way: scripts -> cli (flags to requests, argument parsing, the error wrapper)
 * -> commands (orchestration, printing) -> run/, config/, experiment/ and the other rooms listed in
 * RANK_1_ROOMS -> the core (process, sampler, train, metrics, datasets, models, io, ...). A file
 * may import its own layer and the layers below it, never one above.
 */
const ROOT = path.resolve(import.meta.dirname, '..');

/** The rooms between the commands and the core: orchestration and the pieces each command builds on. */
const RANK_1_ROOMS = ['run', 'config', 'experiment', 'bundle', 'bench', 'pack', 'gpu-check', 'public', 'classifier', 'report'];

/**
 * Files of a rank-1 room that count as core: the recorded run-config schema is a data type every
 * layer reads, so it may import only the core itself.
 */
const CORE_FILES = ['src/config/run-config.ts'];

/**
 * Files outside those rooms that sit at rank 1: the library's entry point (it fronts bundle/ and
 * public/) and the image metrics (they run the trained classifier of classifier/ on the samples).
 */
const RANK_1_FILES = ['src/api.ts', 'src/metrics/image.ts'];

/** Rank of a source file's layer: a higher rank may import a lower one, never the reverse. */
function layerOf(file: string): { rank: number; name: string } {
  // An import names the compiled file (x.js); the source is x.ts.
  const rel = path.relative(ROOT, file).split(path.sep).join('/').replace(/\.js$/, '.ts');
  if (rel.startsWith('scripts/')) return { rank: 4, name: 'scripts' };
  if (rel.startsWith('src/cli/')) return { rank: 3, name: 'cli' };
  if (rel.startsWith('src/commands/')) return { rank: 2, name: 'commands' };
  if (CORE_FILES.includes(rel)) return { rank: 0, name: 'core' };
  if (RANK_1_FILES.includes(rel)) return { rank: 1, name: rel };
  const room = rel.split('/')[1]!;
  if (rel.startsWith('src/') && RANK_1_ROOMS.includes(room)) return { rank: 1, name: room };
  return { rank: 0, name: 'core' };
}

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sourceFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Relative specifiers of static imports, re-exports and dynamic imports. */
function importsOf(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)['"](\.{1,2}\/[^'"]+)['"]/g)].map((m) => m[1]!);
  return specs.map((s) => path.resolve(path.dirname(file), s));
}

const files = ['src', 'models', 'datasets', 'scripts'].flatMap((d) => sourceFiles(path.join(ROOT, d)));

describe('layering', () => {
  it('no file imports a layer above its own', () => {
    const upward: string[] = [];
    for (const file of files) {
      const from = layerOf(file);
      for (const target of importsOf(file)) {
        const to = layerOf(target);
        if (to.rank > from.rank) upward.push(`${path.relative(ROOT, file)} (${from.name}) imports ${path.relative(ROOT, target)} (${to.name})`);
      }
    }
    expect(upward).toEqual([]);
  });

  it('run/ returns data and never prints', () => {
    const printing = sourceFiles(path.join(ROOT, 'src/run')).filter((f) => /console\.(log|error|warn)|process\.std(out|err)\.write/.test(fs.readFileSync(f, 'utf8')));
    expect(printing.map((f) => path.relative(ROOT, f))).toEqual([]);
  });

  it('the check sees the layers it guards', () => {
    // Guards the test itself: a rename of a room would otherwise pass silently.
    expect(files.some((f) => layerOf(f).name === 'cli')).toBe(true);
    expect(files.some((f) => layerOf(f).name === 'commands')).toBe(true);
    expect(files.some((f) => layerOf(f).name === 'run')).toBe(true);
    for (const room of RANK_1_ROOMS) expect(fs.existsSync(path.join(ROOT, 'src', room)), room).toBe(true);
    for (const file of [...CORE_FILES, ...RANK_1_FILES]) expect(fs.existsSync(path.join(ROOT, file)), file).toBe(true);
    // The import scan sees relative imports: a script reaches its command line interface.
    expect(importsOf(path.join(ROOT, 'scripts/train.ts')).map((f) => path.relative(ROOT, f))).toContain(path.join('src', 'cli', 'train-cli.js'));
  });
});
