import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { BundleError, fetchReader, loadScoreModel, type BundleConfig, type ScoreModel } from '../src/api.js';
import { BUNDLE_FILES } from '../src/bundle/format.js';
import { exportCli } from '../src/cli/export-cli.js';
import { sampleCli } from '../src/cli/sample-cli.js';
import { trainCli } from '../src/cli/train-cli.js';
import { copyToTempDir, oneLineRefusal, tempDir, tinyTrainArgs, useWasm } from './helpers.js';

let bundle: string;

const copyBundle = (name: string) => copyToTempDir(bundle, name, 'bundle');

const sha256Hex = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

function readConfig(dir: string): BundleConfig {
  return JSON.parse(fs.readFileSync(path.join(dir, BUNDLE_FILES.config), 'utf8')) as BundleConfig;
}

/** The same length, every byte zero: the finding's "zero-filled weights.bin". */
function zeroFill(file: string): void {
  fs.writeFileSync(file, new Uint8Array(fs.statSync(file).size));
}

/** The one-line BundleError a call rejects with. */
const refusal = (call: () => Promise<unknown>) => oneLineRefusal(call, BundleError);

function scoresOf(model: ScoreModel): Float32Array {
  return tf.tidy(() => model.score(tf.tensor2d([[0.5, -1], [2, 0.25]]), 0.3).dataSync() as Float32Array);
}

/** Serves a directory over HTTP, so fetchReader (the browser's reader) can be used from Node. */
async function serve(dir: string): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    const file = path.join(dir, path.basename(req.url ?? ''));
    if (!fs.existsSync(file)) return void res.writeHead(404).end();
    res.writeHead(200).end(fs.readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

beforeAll(async () => {
  await useWasm();
  const run = path.join(tempDir('checksum-run'), 'run');
  expect(await trainCli(tinyTrainArgs(run, 5))).toBe(0);
  bundle = path.join(tempDir('checksum-bundle'), 'bundle');
  expect(await exportCli(['--run', run, '--out', bundle])).toBe(0);
});

describe("config.json records each weight file's SHA-256, and loading checks it", () => {
  it('export records the SHA-256 of weights.bin and model.safetensors', () => {
    const { weights } = readConfig(bundle);
    expect(weights.tfjs!.sha256).toBe(sha256Hex(fs.readFileSync(path.join(bundle, BUNDLE_FILES.tfjs))));
    expect(weights.safetensors!.sha256).toBe(sha256Hex(fs.readFileSync(path.join(bundle, BUNDLE_FILES.safetensors))));
  });

  it.each([
    [BUNDLE_FILES.tfjs, 'tfjs'],
    [BUNDLE_FILES.safetensors, 'safetensors'],
  ] as const)('a zero-filled %s is refused in one line naming it', async (name, prefer) => {
    const dir = copyBundle(`zero-${prefer}`);
    zeroFill(path.join(dir, name));
    const e = await refusal(() => loadScoreModel(dir, { prefer }));
    expect(e.message).toBe(
      `${path.join(dir, name)}: does not match the SHA-256 recorded in config.json (the file is damaged or was replaced); export the bundle again`,
    );
  });

  it('the sample command refuses it too', async () => {
    const dir = copyBundle('zero-sample');
    zeroFill(path.join(dir, BUNDLE_FILES.tfjs));
    const e = await refusal(() => sampleCli(['--bundle', dir, '--n', '10', '--steps', '2', '--out', path.join(tempDir('zero-out'), 's')]));
    expect(e.message).toMatch(/weights\.bin: does not match the SHA-256 recorded in config\.json/);
  });

  it('the browser reader (fetch) checks it as well', async () => {
    const dir = copyBundle('zero-fetch');
    const good = await serve(bundle);
    const bad = await serve(dir);
    try {
      const model = await loadScoreModel(fetchReader(good.url));
      model.dispose();
      zeroFill(path.join(dir, BUNDLE_FILES.tfjs));
      const e = await refusal(() => loadScoreModel(fetchReader(bad.url)));
      expect(e.message).toBe(`${bad.url}weights.bin: does not match the SHA-256 recorded in config.json (the file is damaged or was replaced); export the bundle again`);
    } finally {
      await good.close();
      await bad.close();
    }
  });

  it('a bundle written before the SHA-256 was recorded still loads, to the same scores', async () => {
    const dir = copyBundle('no-checksum');
    const config = readConfig(dir);
    delete config.weights.tfjs!.sha256;
    delete config.weights.safetensors!.sha256;
    fs.writeFileSync(path.join(dir, BUNDLE_FILES.config), JSON.stringify(config));
    for (const prefer of ['tfjs', 'safetensors'] as const) {
      const [current, old] = [await loadScoreModel(bundle, { prefer }), await loadScoreModel(dir, { prefer })];
      expect(Array.from(scoresOf(old))).toEqual(Array.from(scoresOf(current)));
      current.dispose();
      old.dispose();
    }
  });

  it('a malformed sha256 field is a schema error naming the field', async () => {
    const dir = copyBundle('bad-field');
    const config = readConfig(dir);
    config.weights.tfjs!.sha256 = 'abc';
    fs.writeFileSync(path.join(dir, BUNDLE_FILES.config), JSON.stringify(config));
    const e = await refusal(() => loadScoreModel(dir));
    expect(e.message).toMatch(/config\.json: field weights\.tfjs\.sha256 is invalid: expected 64 lowercase hex digits$/);
  });
});
