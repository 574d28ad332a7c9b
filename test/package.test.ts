import { execFileSync, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from './temp-dirs.js';

/**
 * The published package, tried as a user gets it: `npm pack` (its prepare step
 * compiles dist/), then the tarball installed into an empty project, then the
 * bin and the library used from there.
 *
 * The test needs no network: installing the tarball is done as npm does it
 * (unpack it into node_modules/score-sde, link its bin into node_modules/.bin),
 * and the package's dependencies are this checkout's own node_modules, linked
 * one package at a time into the empty project. `npm install` itself is not run
 * because it fetches package metadata from the registry even when every
 * dependency is already present.
 */
const ROOT = path.resolve(import.meta.dirname, '..');
/** What `npm pack` needs from the checkout (what git tracks, without the tests and the web page). */
const SOURCES = ['src', 'models', 'datasets', 'scripts', 'docs', 'package.json', 'tsconfig.json', 'tsconfig.build.json', 'README.md'];

let project: string;
let files: string[];

/** `timeoutMs`: a guard for a process that must end by itself (spawnSync would otherwise wait for ever). */
const run = (cmd: string, args: string[], cwd: string, timeoutMs?: number): SpawnSyncReturns<string> =>
  spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, npm_config_offline: 'true', npm_config_update_notifier: 'false' }, timeout: timeoutMs });

/** The checkout's dependencies as the new project's node_modules: a link per package (scoped ones in a real scope folder). */
function linkDependencies(into: string): void {
  const source = fs.realpathSync(path.join(ROOT, 'node_modules'));
  fs.mkdirSync(into, { recursive: true });
  for (const entry of fs.readdirSync(source)) {
    if (entry.startsWith('.') || entry === 'score-sde') continue;
    if (entry.startsWith('@')) {
      fs.mkdirSync(path.join(into, entry));
      for (const pkg of fs.readdirSync(path.join(source, entry))) fs.symlinkSync(path.join(source, entry, pkg), path.join(into, entry, pkg));
    } else fs.symlinkSync(path.join(source, entry), path.join(into, entry));
  }
}

beforeAll(() => {
  const work = tempDir('package');
  const copy = path.join(work, 'checkout');
  fs.mkdirSync(copy);
  for (const item of SOURCES) fs.cpSync(path.join(ROOT, item), path.join(copy, item), { recursive: true });
  fs.symlinkSync(fs.realpathSync(path.join(ROOT, 'node_modules')), path.join(copy, 'node_modules'));
  const pack = run('npm', ['pack', '--pack-destination', work], copy);
  expect(pack.status, pack.stderr).toBe(0);
  const tarball = path.join(work, fs.readdirSync(work).find((f) => f.endsWith('.tgz'))!);
  files = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).split('\n').filter(Boolean).map((f) => f.replace(/^package\//, ''));

  project = path.join(work, 'project');
  fs.mkdirSync(project);
  fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', type: 'module', private: true }));
  const modules = path.join(project, 'node_modules');
  linkDependencies(modules);
  const installed = path.join(modules, 'score-sde');
  fs.mkdirSync(installed);
  execFileSync('tar', ['-xzf', tarball, '-C', installed, '--strip-components=1']);
  const bin = (JSON.parse(fs.readFileSync(path.join(installed, 'package.json'), 'utf8')) as { bin: Record<string, string> }).bin['score-sde']!;
  fs.mkdirSync(path.join(modules, '.bin'));
  fs.symlinkSync(path.join('..', 'score-sde', bin), path.join(modules, '.bin', 'score-sde'));
  fs.chmodSync(path.join(installed, bin), 0o755);
}, 180_000);

describe('the npm package', () => {
  it('ships compiled JavaScript and type declarations, not the TypeScript sources or the tests', () => {
    expect(files).toContain('dist/src/api.js');
    expect(files).toContain('dist/src/api.d.ts');
    expect(files).toContain('dist/src/public/index.js');
    expect(files).toContain('dist/src/public/index.d.ts');
    expect(files).toContain('dist/scripts/score-sde.js');
    expect(files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
    expect(files.filter((f) => f.startsWith('test/') || f.startsWith('dist/test/'))).toEqual([]);
  });

  it('npx score-sde --help lists the commands; a command has its own --help', () => {
    const help = run('npx', ['--offline', 'score-sde', '--help'], project);
    expect(help.status, help.stderr).toBe(0);
    for (const command of ['train', 'sample', 'export', 'diagnose', 'experiment']) expect(help.stdout).toContain(`score-sde ${command}`);
    const trainHelp = run('npx', ['--offline', 'score-sde', 'train', '-h'], project);
    expect(trainHelp.status, trainHelp.stderr).toBe(0);
    expect(trainHelp.stdout).toMatch(/^score-sde train \[flags\]/);
    const bad = run('npx', ['--offline', 'score-sde', 'train', '--steps', '0'], project);
    expect([bad.status, bad.stderr.trim()]).toEqual([2, "error: --steps '0': expected an integer from 1 to 1e8 (1e8 updates take over 6 days at 190 steps/s, the fastest step measured here)"]);
  });

  it('npx score-sde train (its replica workers compiled too) and export, then import { loadScoreModel, sample } from score-sde', () => {
    const train = run('npx', ['--offline', 'score-sde', 'train', '--steps', '20', '--width', '8', '--depth', '1', '--replicas', '2', '--no-eval', '--out', 'run', '--json'], project);
    expect(train.status, train.stderr).toBe(0);
    expect(JSON.parse(train.stdout)).toMatchObject({ status: 'completed', steps: 20 });
    const exported = run('npx', ['--offline', 'score-sde', 'export', '--run', 'run', '--out', 'bundle'], project);
    expect(exported.status, exported.stderr).toBe(0);

    fs.writeFileSync(
      path.join(project, 'use.mjs'),
      `import { loadScoreModel, sample } from 'score-sde';
       import * as tf from '@tensorflow/tfjs-core';
       import '@tensorflow/tfjs-backend-cpu';
       tf.env().set('PROD', true);
       await tf.setBackend('cpu');
       const model = await loadScoreModel('bundle');
       const xs = await sample(model, { n: 6, steps: 4 });
       console.log(JSON.stringify({ n: xs.length, dim: model.dim, process: model.process.name, backend: tf.getBackend() }));`,
    );
    const used = run(process.execPath, ['use.mjs'], project);
    expect(used.status, used.stderr).toBe(0);
    // The backend the program set is kept.
    expect(JSON.parse(used.stdout)).toEqual({ n: 12, dim: 2, process: 'vp', backend: 'cpu' });

    // The README's snippet as written, with no backend set: loadScoreModel selects one as the
    // commands do (wasm on a machine without a GPU), and the program then exits by itself.
    fs.writeFileSync(
      path.join(project, 'use-default.mjs'),
      `import { loadScoreModel, sample } from 'score-sde';
       import * as tf from '@tensorflow/tfjs-core';
       const model = await loadScoreModel('bundle');
       const xs = await sample(model, { n: 6, steps: 4 });
       console.log(JSON.stringify({ n: xs.length, finite: xs.every(Number.isFinite), backend: tf.getBackend() }));`,
    );
    // A guard against a process kept alive by the backend (worker threads, a GPU device): it must end by itself.
    const byDefault = run(process.execPath, ['use-default.mjs'], project, 120_000);
    expect(byDefault.status, byDefault.stderr).toBe(0);
    const outcome = JSON.parse(byDefault.stdout) as { n: number; finite: boolean; backend: string };
    expect({ n: outcome.n, finite: outcome.finite }).toEqual({ n: 12, finite: true });
    expect(['tensorflow', 'webgpu', 'wasm']).toContain(outcome.backend);
  });

  it('its type declarations type-check a consumer under NodeNext resolution', () => {
    fs.writeFileSync(
      path.join(project, 'use.ts'),
      `import { loadScoreModel, sample, type ScoreModel } from 'score-sde';
       import { loadScoreModel as loadInBrowser } from 'score-sde/browser';
       const model: ScoreModel = await loadScoreModel('bundle');
       const xs: Float32Array = await sample(model, { n: 4, steps: 3 });
       void xs; void loadInBrowser;`,
    );
    fs.writeFileSync(
      path.join(project, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', strict: true, noEmit: true, skipLibCheck: true, types: [] }, files: ['use.ts'] }),
    );
    const tsc = run(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', '.'], project);
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.status).toBe(0);
  });
});
