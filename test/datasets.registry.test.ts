import * as path from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { EXACT_TARGETS } from '../datasets/exact-targets.js';
import {
  DATA_SOURCE_NAMES,
  dataRangeOf,
  describeDataSources,
  hasExactScore,
  imageShapeOf,
  IMAGE_TARGET_NAMES,
  isImageSource,
  isImageTargetName,
  openDataSource,
  resolveTargetRequest,
  SAMPLE_ONLY_NAMES,
  TARGET_MODULES,
  TARGET_NAMES,
  targetModule,
  type DataSource,
  type DataSourceName,
  type TargetRequest,
} from '../datasets/index.js';
import { MNIST_HEIGHT, MNIST_RANGE, MNIST_WIDTH } from '../datasets/mnist.js';

describe('target registry', () => {
  it('lists the exact targets, then the sample-only data', () => {
    expect(TARGET_NAMES).toEqual(['funnel', 'grid9', 'ring8', 'gmm', 'gaussian', 'two-point', 'checkerboard']);
    expect(SAMPLE_ONLY_NAMES).toEqual(['mnist']);
    expect(DATA_SOURCE_NAMES).toEqual([...TARGET_NAMES, ...SAMPLE_ONLY_NAMES]);
    expect(TARGET_MODULES.map((m) => m.name)).toEqual(DATA_SOURCE_NAMES);
    expect(() => targetModule('moons')).toThrow(/^unknown target 'moons'; known: funnel, .*, mnist$/);
  });

  it("each exact target's capabilities agree with what its built source publishes", () => {
    for (const module of EXACT_TARGETS) {
      const source: DataSource = module.create();
      const c = module.capabilities;
      expect(source.name).toBe(module.name);
      expect([c.exactScore, c.nodeOnly, hasExactScore(source)]).toEqual([true, false, true]);
      expect(source.mixture !== undefined, `${module.name} mixture`).toBe(c.mixture);
      expect(source.marginal !== undefined, `${module.name} marginal`).toBe(c.marginal);
      expect(isImageSource(source)).toBe(c.image !== undefined);
      expect(source.dataRange).toEqual(c.dataRange);
    }
    expect(targetModule('funnel').create({ dim: 3 }).marginal).toEqual({ coordinate: 0, mean: 0, std: 3 });
  });

  it('knows the image data by its capabilities, without reading it', () => {
    const mnist = targetModule('mnist').capabilities;
    expect(mnist).toMatchObject({ exactScore: false, nodeOnly: true, mixture: false, marginal: false });
    expect(IMAGE_TARGET_NAMES).toEqual(['mnist']);
    expect([isImageTargetName('mnist'), isImageTargetName('grid9'), isImageTargetName('moons')]).toEqual([true, false, false]);
    expect(imageShapeOf('mnist')).toEqual({ height: MNIST_HEIGHT, width: MNIST_WIDTH, channels: 1 });
    expect(imageShapeOf('funnel')).toBeUndefined();
    const range = dataRangeOf('mnist');
    expect(range).toEqual(MNIST_RANGE);
    expect(range).not.toBe(MNIST_RANGE);
    expect(dataRangeOf('grid9')).toBeUndefined();
  });

  it('describes every source for --help', () => {
    const help = describeDataSources().split('\n');
    for (const name of DATA_SOURCE_NAMES) expect(help.some((line) => line.startsWith(`  ${name}: `))).toBe(true);
    expect(help.slice(-2)).toEqual([
      '  mnist: MNIST digits, 28 x 28, pixels in [-1, 1] (sample-only: no exact score)',
      '    options: dataDir (--data-dir), subset (--subset)',
    ]);
    expect(help).toContain('    options: dim (integer >= 2, default 10): dimension d');
  });
});

describe('resolveTargetRequest: the options a run records', () => {
  // [name, request, run seed, options as config.json records them (key order included)]
  const cases: [DataSourceName, TargetRequest, number, string][] = [
    ['grid9', {}, 0, '{}'],
    ['ring8', {}, 3, '{}'],
    ['funnel', {}, 0, '{"dim":10}'],
    ['funnel', { dim: 4 }, 0, '{"dim":4}'],
    ['gmm', {}, 0, '{"components":10,"dim":10,"seed":0}'],
    ['gmm', {}, 7, '{"components":10,"dim":10,"seed":7}'],
    ['gmm', { targetSeed: 3, dim: 5, components: 4 }, 7, '{"components":4,"dim":5,"seed":3}'],
    ['gaussian', { std: 2 }, 0, '{"dim":2,"std":2}'],
    ['gaussian', { dim: 3 }, 0, '{"dim":3,"std":1}'],
    ['two-point', {}, 0, '{"mu":1,"dim":1}'],
    ['two-point', { mu: 2, dim: 3 }, 0, '{"mu":2,"dim":3}'],
    ['mnist', { subset: 64 }, 0, '{"subset":64}'],
    ['mnist', {}, 0, '{}'],
    ['mnist', { subset: 5, dataDir: 'some/dir' }, 0, JSON.stringify({ dataDir: path.resolve('some/dir'), subset: 5 })],
  ];
  it.each(cases)('%s %j (seed %i)', (name, request, seed, expected) => {
    expect(JSON.stringify(resolveTargetRequest(name, request, seed).options)).toBe(expected);
  });

  it('without a run seed, gmm keeps its own default seed (diagnose)', () => {
    expect(resolveTargetRequest('gmm', {}).options).toEqual({ components: 10, dim: 10, seed: 0 });
  });

  it('refuses a key the target does not take, the first in request-key order, naming the flag', () => {
    const refusals: [DataSourceName, TargetRequest, string][] = [
      ['grid9', { mu: 2 }, '--mu 2: does not apply to --target grid9'],
      ['grid9', { dim: 5 }, '--dim 5: does not apply to --target grid9'],
      ['gmm', { mu: 1, std: 2 }, '--std 2: does not apply to --target gmm'],
      ['mnist', { dim: 3 }, '--dim 3: does not apply to --target mnist'],
      ['two-point', { subset: 3 }, '--subset 3: does not apply to --target two-point'],
      ['gaussian', { dataDir: 'x' }, '--data-dir x: does not apply to --target gaussian'],
      ['funnel', { targetSeed: 1 }, '--target-seed 1: does not apply to --target funnel'],
    ];
    for (const [name, request, message] of refusals) expect(() => resolveTargetRequest(name, request, 0)).toThrow(message);
    // A value the schema refuses is named by its flag, in one line.
    expect(() => resolveTargetRequest('funnel', { dim: 1 }, 0)).toThrow(/^--dim 1: not accepted by --target funnel; accepted: a number >= 2$/);
  });

  it('openDataSource resolves and builds once', () => {
    const opened = openDataSource('gmm', { dim: 3, components: 2 }, 4);
    expect(opened.options).toEqual({ components: 2, dim: 3, seed: 4 });
    expect(opened.source.params).toMatchObject({ components: 2, dim: 3, seed: 4 });
    expect(opened.source.dim).toBe(3);
  });
});

describe('browser safety', () => {
  it('the exact-target registry bundles for the browser; the full registry (file-backed data) does not', async () => {
    const bundle = (entry: string) =>
      build({ entryPoints: [entry], bundle: true, format: 'esm', platform: 'browser', write: false, logLevel: 'silent' });
    await expect(bundle('datasets/exact-targets.ts')).resolves.toBeDefined();
    await expect(bundle('datasets/registry.ts')).rejects.toThrow(/node:/);
  });
});
