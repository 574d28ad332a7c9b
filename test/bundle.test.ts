import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { BundleError, loadScoreModel, sample, type ScoreModel } from '../src/api.js';
import { BUNDLE_FILES, BUNDLE_FORMAT_VERSION, type BundleConfig } from '../src/bundle/format.js';
import { decodeSafetensors, encodeSafetensors } from '../src/bundle/safetensors.js';
import { exportCli } from '../src/cli/export-cli.js';
import { sampleCli } from '../src/cli/sample-cli.js';
import type { RunConfig } from '../src/config/run-config.js';
import { UsageError } from '../src/errors.js';
import { readNpy } from '../src/io/npy.js';
import { buildRun } from '../src/run/build.js';
import { writeRunConfig } from '../src/run/run-dir.js';
import { Rng } from '../src/rng.js';
import { networkScore } from '../src/score-network.js';
import { TrainingLog } from '../src/train/log.js';
import { freshState, loadWeights } from '../src/train/state.js';
import { runTraining } from '../src/train/trainer.js';
import { smallConfig, tempDir, useWasm } from './helpers.js';

const root = path.resolve(import.meta.dirname, '..');

/** A few training steps: enough that the EMA and raw weights differ. */
async function trainTiny(config: RunConfig): Promise<string> {
  const dir = path.join(tempDir('bundle-run'), 'run');
  fs.mkdirSync(dir);
  writeRunConfig(dir, config);
  const parts = buildRun(config);
  const state = freshState(parts.backbone, config.train.emaHalfLife);
  const log = new TrainingLog(path.join(dir, 'log.jsonl'));
  await runTraining({ runDir: dir, config: config.train, target: parts.target, path: parts.path, net: parts.net, state, log });
  parts.backbone.dispose();
  return dir;
}

async function exportRun(run: string, ...flags: string[]): Promise<string> {
  const out = path.join(tempDir('bundle'), 'bundle');
  expect(await exportCli(['--run', run, '--out', out, ...flags])).toBe(0);
  return out;
}

/** Scores of the run's own network (rebuilt from its checkpoint) and of the loaded bundle, at the same points. */
function compareScores(run: string, config: RunConfig, model: ScoreModel, weights: 'ema' | 'params'): number {
  const parts = buildRun(config);
  loadWeights(run, parts.backbone, weights);
  const x = tf.tensor2d(Float32Array.from(Rng.fromSeed(11).normals(64 * 2), (v) => 4 * v), [64, 2]);
  let worst = 0;
  for (const tau of [0.002, 0.05, 0.3, 0.7, 0.99]) {
    const { a, b } = parts.path.coefficients(tau);
    const expected = networkScore(parts.net, x, tau, a, b);
    const actual = model.score(x, tau);
    const e = expected.dataSync();
    const g = actual.dataSync();
    for (let i = 0; i < e.length; i++) worst = Math.max(worst, Math.abs(e[i]! - g[i]!) / Math.max(1, Math.abs(e[i]!)));
    tf.dispose([expected, actual]);
  }
  x.dispose();
  parts.backbone.dispose();
  return worst;
}

const vpConfig = smallConfig({ steps: 20, checkpointEvery: 20, logEvery: 10, emaHalfLife: 5 });
// A second architecture and parameterisation, so the description is not tied to one setting.
const pbmConfig: RunConfig = (() => {
  const c = smallConfig({ steps: 20, checkpointEvery: 20, logEvery: 10, emaHalfLife: 5 }, 'pbm');
  return { ...c, model: { ...c.model, width: 32, depth: 3, activation: 'gelu', parameterisation: 'data' } };
})();
let vpRun: string;
let pbmRun: string;
let vpBundle: string;

beforeAll(async () => {
  await useWasm();
  vpRun = await trainTiny(vpConfig);
  pbmRun = await trainTiny(pbmConfig);
  vpBundle = await exportRun(vpRun);
});

describe('export -> load round trip (MLP; the U-Net round trip is in mnist.cli.test.ts)', () => {
  it.each([
    ['vp, noise prediction, silu, ema weights, tfjs file', () => vpRun, () => vpConfig, [], 'tfjs', 'ema'],
    ['vp, noise prediction, silu, ema weights, safetensors file', () => vpRun, () => vpConfig, [], 'safetensors', 'ema'],
    ['pbm, data prediction, gelu, raw weights, tfjs file', () => pbmRun, () => pbmConfig, ['--weights', 'raw', '--format', 'tfjs'], 'tfjs', 'params'],
    ['pbm, data prediction, gelu, raw weights, safetensors file', () => pbmRun, () => pbmConfig, ['--weights', 'raw', '--format', 'safetensors'], 'safetensors', 'params'],
  ] as const)('%s gives the same scores', async (_name, run, config, flags, prefer, weights) => {
    const out = await exportRun(run(), ...flags);
    const model = await loadScoreModel(out, { prefer });
    expect(model.process.params).toEqual(config().process.params);
    expect(compareScores(run(), config(), model, weights)).toBeLessThan(1e-6);
    model.dispose();
  });

  it('config.json describes the whole model', () => {
    const config = JSON.parse(fs.readFileSync(path.join(vpBundle, BUNDLE_FILES.config), 'utf8'));
    expect(config).toMatchObject({
      format: 'score-sde-bundle',
      formatVersion: BUNDLE_FORMAT_VERSION,
      source: { weights: 'ema', step: 20 },
      network: {
        backbone: { kind: 'mlp', dim: 2, width: 64, depth: 2, activation: 'silu', timeFrequencies: 8, maxFrequency: 16 },
        parameterisation: 'noise',
        dataStd: vpConfig.model.dataStd,
      },
      process: { name: 'vp', params: vpConfig.process.params, tauMin: 0.001, tauMax: 1, prior: 'N(0, I)' },
      target: { name: 'grid9', dim: 2 },
      sampler: { method: 'euler-maruyama', seed: vpConfig.train.seed },
      weights: { tfjs: { file: 'weights.bin' }, safetensors: { file: 'model.safetensors' } },
    });
    expect(config.network.tensors.map((t: { name: string }) => t.name)).toEqual([
      'dense0/kernel', 'dense0/bias', 'dense1/kernel', 'dense1/bias', 'dense2/kernel', 'dense2/bias',
    ]);
    expect(config.network.constants.omega).toHaveLength(8);
    expect(config.process.formulas.a).toBe('a(tau) = exp(-B(tau) / 2)');
  });

  it('model.safetensors follows the specification', () => {
    const bytes = new Uint8Array(fs.readFileSync(path.join(vpBundle, BUNDLE_FILES.safetensors)));
    const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
    expect(n % 8).toBe(0);
    const text = new TextDecoder().decode(bytes.subarray(8, 8 + n));
    expect(text).toMatch(/^\{.*\} *$/);
    const header = JSON.parse(text);
    expect(header.__metadata__).toEqual({ format: 'score-sde-bundle', format_version: '1', config: 'config.json' });
    expect(header['dense0/kernel']).toEqual({ dtype: 'F32', shape: [18, 64], data_offsets: [0, 18 * 64 * 4] });
    const ends = Object.entries(header).filter(([k]) => k !== '__metadata__').map(([, v]) => (v as { data_offsets: number[] }).data_offsets);
    expect(Math.max(...ends.map((e) => e[1]!))).toBe(bytes.length - 8 - n);
  });

  it('sample() over a loaded bundle equals the sampler on the run', async () => {
    const model = await loadScoreModel(vpBundle);
    const fromBundle = await sample(model, { n: 50, steps: 10, seed: 3 });
    const parts = buildRun(vpConfig);
    loadWeights(vpRun, parts.backbone, 'ema');
    const { sampleReverseSde } = await import('../src/sampler/reverse-sde.js');
    const { networkScoreFunction } = await import('../src/sampler/score-function.js');
    const options = { steps: 10, tauMin: parts.path.tauMin, tauMax: parts.path.tauMax, denoise: true, batchSize: 2000, seed: 3 };
    const fromRun = await sampleReverseSde(parts.path, networkScoreFunction(parts.net), 50, 2, options);
    expect(Array.from(fromBundle)).toEqual(Array.from(fromRun));
    model.dispose();
    parts.backbone.dispose();
  });
});

describe('npm run sample -- --bundle', () => {
  it('samples exactly as from the run directory', async () => {
    const flags = ['--n', '200', '--steps', '20', '--seed', '5', '--backend', 'wasm'];
    const a = path.join(tempDir('from-run'), 'out');
    const b = path.join(tempDir('from-bundle'), 'out');
    expect(await sampleCli(['--run', vpRun, ...flags, '--out', a])).toBe(0);
    expect(await sampleCli(['--bundle', vpBundle, ...flags, '--out', b])).toBe(0);
    const [x, y] = await Promise.all([readNpy(path.join(a, 'samples.npy')), readNpy(path.join(b, 'samples.npy'))]);
    expect(Buffer.from(y.data.buffer).equals(Buffer.from(x.data.buffer))).toBe(true);
    const metrics = JSON.parse(fs.readFileSync(path.join(b, 'metrics.json'), 'utf8'));
    expect(metrics.score).toBe(`ema weights at step 20 (bundle ${vpBundle})`);
    // Point targets are unbounded: nothing to clip to, in the sampler or in the bundle.
    expect(metrics.sampler.clip).toBeUndefined();
    expect(JSON.parse(fs.readFileSync(path.join(vpBundle, BUNDLE_FILES.config), 'utf8')).sampler.clip).toBeNull();
  });

  it('refuses a folder that already holds samples, and leaves them as they were', async () => {
    const out = path.join(tempDir('twice'), 'out');
    const flags = ['--bundle', vpBundle, '--n', '50', '--steps', '5', '--backend', 'wasm', '--out', out];
    expect(await sampleCli(flags)).toBe(0);
    const before = fs.readFileSync(path.join(out, 'samples.npy'));
    const error = await sampleCli([...flags.slice(0, -2), '--seed', '9', '--out', out]).then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toBe(`--out ${out}: already holds samples (metrics.json, samples.npy, samples.png); choose another --out (a new or empty folder), or move those files away`);
    expect(fs.readFileSync(path.join(out, 'samples.npy')).equals(before)).toBe(true);
  });

  it.each([
    [['--run', 'RUN', '--bundle', 'BUNDLE'], /^--bundle '.*': expected either --run or --bundle, not both$/],
    [['--bundle', 'BUNDLE', '--weights', 'raw'], /^--weights raw: the bundle .* holds only the ema weights; export again with --weights raw$/],
    [['--bundle', '/nonexistent/bundle'], /^\/nonexistent\/bundle: no such bundle directory$/],
  ])('%j is refused with one line', async (args, message) => {
    const resolved = args.map((a) => (a === 'RUN' ? vpRun : a === 'BUNDLE' ? vpBundle : a));
    const error = await sampleCli(resolved).then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toMatch(message);
  });
});

/** A copy of the bundle, changed by `edit`, then loaded; returns the error. */
async function loadBroken(edit: (dir: string) => void, prefer?: 'tfjs' | 'safetensors'): Promise<Error> {
  const dir = path.join(tempDir('broken'), 'bundle');
  fs.cpSync(vpBundle, dir, { recursive: true });
  edit(dir);
  const error = await loadScoreModel(dir, prefer ? { prefer } : {}).then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(BundleError);
  expect((error as Error).message).not.toContain('\n');
  return error as Error;
}

/** What export records for a weight file, so an edited file can be made consistent with its config. */
const sha256Hex = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** Rewrites config.json; edits that break its schema say so with a cast. */
function editConfig(dir: string, change: (c: BundleConfig) => void): void {
  const file = path.join(dir, BUNDLE_FILES.config);
  const config = JSON.parse(fs.readFileSync(file, 'utf8')) as BundleConfig;
  change(config);
  fs.writeFileSync(file, JSON.stringify(config));
}

describe('bad bundles fail with a one-line reason', () => {
  it('a newer format version', async () => {
    const e = await loadBroken((d) => editConfig(d, (c) => ((c as { formatVersion: number }).formatVersion = BUNDLE_FORMAT_VERSION + 1)));
    expect(e.message).toMatch(/config\.json: bundle format version 2 is newer than this build reads \(1\); update score-sde to load it$/);
  });

  it('a missing weight', async () => {
    const e = await loadBroken((d) => {
      const file = path.join(d, BUNDLE_FILES.safetensors);
      const { tensors, metadata } = decodeSafetensors(new Uint8Array(fs.readFileSync(file)), file);
      const bytes = encodeSafetensors(tensors.filter((t) => t.name !== 'dense1/bias'), metadata);
      fs.writeFileSync(file, bytes);
      editConfig(d, (c) => Object.assign(c.weights.safetensors!, { byteLength: bytes.length, sha256: sha256Hex(bytes) }));
    }, 'safetensors');
    expect(e.message).toMatch(/model\.safetensors: weight dense1\/bias is missing \(the network in config\.json needs it\)$/);
  });

  it('a shape mismatch', async () => {
    const e = await loadBroken((d) => editConfig(d, (c) => ((c.network.backbone as { width: number }).width = 32)));
    expect(e.message).toMatch(/weights\.bin: weight dense0\/kernel has shape \[18,64\], the network in config\.json needs \[18,32\]$/);
  });

  it.each([
    ['weights.bin', 'tfjs', /weights\.bin: truncated: config\.json lists \d+ bytes, found \d+$/],
    ['model.safetensors', 'safetensors', /model\.safetensors: truncated: config\.json lists \d+ bytes, found \d+$/],
  ] as const)('a truncated %s', async (file, prefer, message) => {
    const e = await loadBroken((d) => fs.truncateSync(path.join(d, file), fs.statSync(path.join(d, file)).size - 100), prefer);
    expect(e.message).toMatch(message);
  });

  it('a truncated safetensors file with a matching config still fails on its own header', async () => {
    const e = await loadBroken((d) => {
      const file = path.join(d, BUNDLE_FILES.safetensors);
      fs.truncateSync(file, fs.statSync(file).size - 100);
      editConfig(d, (c) => Object.assign(c.weights.safetensors!, { byteLength: fs.statSync(file).size, sha256: sha256Hex(fs.readFileSync(file)) }));
    }, 'safetensors');
    expect(e.message).toMatch(/model\.safetensors: truncated: tensor dense2\/\w+ ends at data byte \d+ but the data section has \d+ bytes$/);
  });

  it('a missing weight file, a missing or broken config.json, an unknown process parameter', async () => {
    expect((await loadBroken((d) => fs.rmSync(path.join(d, 'weights.bin')))).message).toMatch(/weights\.bin: missing from the bundle$/);
    expect((await loadBroken((d) => fs.rmSync(path.join(d, 'config.json')))).message).toMatch(/config\.json: missing from the bundle$/);
    expect((await loadBroken((d) => fs.writeFileSync(path.join(d, 'config.json'), '{"format": '))).message).toMatch(/config\.json: not valid JSON/);
    expect((await loadBroken((d) => editConfig(d, (c) => ((c as { format: string }).format = 'keras')))).message).toMatch(/config\.json: not a score-sde bundle/);
    expect((await loadBroken((d) => editConfig(d, (c) => (c.process.params.gamma = 1)))).message).toMatch(/process parameter gamma is not one this build knows$/);
    expect((await loadBroken((d) => editConfig(d, (c) => ((c.network.backbone as { kind: string }).kind = 'transformer')))).message).toMatch(/field network\.backbone\.kind is invalid/);
  });

  it('the sample command exits 2 with one line and no stack trace', () => {
    const dir = path.join(tempDir('newer'), 'bundle');
    fs.cpSync(vpBundle, dir, { recursive: true });
    editConfig(dir, (c) => ((c as { formatVersion: number }).formatVersion = 99));
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/sample.ts', '--bundle', dir, '--backend', 'cpu'], { cwd: root, encoding: 'utf8' });
    expect(result.status).toBe(2);
    expect(result.stderr.trim().split('\n')).toEqual([`error: ${dir}/config.json: bundle format version 99 is newer than this build reads (1); update score-sde to load it`]);
  });
});

describe('npm run export: bad input', () => {
  it.each([
    [['--out', 'X'], /^--run is required: the run directory written by npm run train$/],
    [['--run', 'RUN'], /^--out is required: the new bundle directory$/],
    [['--run', 'RUN', '--out', 'X', '--format', 'onnx'], /^--format 'onnx': expected one of tfjs, safetensors, all$/],
    [['--run', 'RUN', '--out', 'X', '--weights', 'best'], /^--weights 'best': expected one of ema, raw$/],
    [['--run', '/nonexistent/run', '--out', 'X'], /^--run \/nonexistent\/run: no such run directory$/],
    [['--run', 'RUN', '--out', 'BUNDLE'], /^--out .*: already holds config.json, model.safetensors, weights.bin; choose a new or empty directory$/],
    [['--run', 'RUN', '--out', 'X', '--bogus'], /^--bogus: unknown flag/],
  ])('%j', async (args, message) => {
    const resolved = args.map((a) => (a === 'RUN' ? vpRun : a === 'BUNDLE' ? vpBundle : a === 'X' ? path.join(tempDir('x'), 'b') : a));
    const error = await exportCli(resolved).then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toMatch(message);
  });

  it('--json prints only the JSON summary on stdout', () => {
    const out = path.join(tempDir('export-json'), 'bundle');
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/export.ts', '--run', vpRun, '--out', out, '--format', 'safetensors', '--json'], { cwd: root, encoding: 'utf8' });
    expect(result.status).toBe(0);
    const summary = JSON.parse(result.stdout);
    expect(summary).toMatchObject({ status: 'completed', bundle_dir: out, formats: ['safetensors'], weights: 'ema', step: 20 });
    expect(fs.readdirSync(out).sort()).toEqual(['config.json', 'model.safetensors']);
  });
});

describe('the public API', () => {
  it('loads under plain Node ESM (not only under vitest), from src/api.ts', () => {
    const script = `const { loadScoreModel, sample } = await import('./src/api.ts');
      const tf = await import('@tensorflow/tfjs-core'); await import('@tensorflow/tfjs-backend-cpu');
      tf.env().set('PROD', true); await tf.setBackend('cpu');
      const model = await loadScoreModel(process.argv[1]);
      const s = model.score(tf.zeros([3, 2]), 0.5);
      const xs = await sample(model, { n: 4, steps: 3 });
      console.log(JSON.stringify({ shape: s.shape, n: xs.length, process: model.process.name }));`;
    const result = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, vpBundle], { cwd: root, encoding: 'utf8' });
    expect(result.stderr.split('\n').filter((l) => /error/i.test(l))).toEqual([]);
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout.trim().split('\n').at(-1)!)).toEqual({ shape: [3, 2], n: 8, process: 'vp' });
  });

  it('is browser-safe: it bundles for the browser platform with no Node-only module', async () => {
    const result = await build({
      entryPoints: [path.join(root, 'src/public/index.ts')],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.some((f) => f.includes('src/bundle/load.ts'))).toBe(true);
    expect(inputs.filter((f) => f.startsWith('node:') || f.includes('node-reader') || f.startsWith('src/io/'))).toEqual([]);
  });
});

/**
 * "Described precisely enough to rebuild": a reader with numpy and nothing of
 * ours parses model.safetensors by the specification and rebuilds the forward
 * pass from config.json alone.
 */
const NUMPY_REBUILD = String.raw`
import json, struct, sys
import numpy as np
bundle, probe = sys.argv[1], json.load(open(sys.argv[2]))
cfg = json.load(open(bundle + '/config.json'))
raw = open(bundle + '/model.safetensors', 'rb').read()
(n,) = struct.unpack('<Q', raw[:8])
header, data = json.loads(raw[8:8 + n]), raw[8 + n:]
W = {k: np.frombuffer(data[v['data_offsets'][0]:v['data_offsets'][1]], dtype='<f4').reshape(v['shape']).astype(np.float64)
     for k, v in header.items() if k != '__metadata__'}
net, bb, proc = cfg['network'], cfg['network']['backbone'], cfg['process']
p = proc['params']
def coefficients(tau):
    if proc['name'] == 'vp':
        B = p['beta_min'] * tau + 0.5 * (p['beta_max'] - p['beta_min']) * tau ** 2
        return np.exp(-B / 2), np.sqrt(-np.expm1(-B))
    return 1 - tau, p['sigma'] * np.sqrt(tau * (1 - tau))
act = {'silu': lambda h: h / (1 + np.exp(-h)), 'relu': lambda h: np.maximum(h, 0), 'tanh': np.tanh,
       'gelu': lambda h: 0.5 * h * (1 + np.tanh(np.sqrt(2 / np.pi) * (h + 0.044715 * h ** 3)))}[bb['activation']]
omega = np.array(net['constants']['omega'])
def score(x, tau):
    a, b = coefficients(tau)
    phase = np.full((len(x), 1), tau) * omega[None, :]
    h = np.concatenate([x / np.sqrt(a * a * net['dataStd'] ** 2 + b * b), np.sin(phase), np.cos(phase)], axis=1)
    for i in range(bb['depth']):
        h = act(h @ W['dense%d/kernel' % i] + W['dense%d/bias' % i])
    out = h @ W['dense%d/kernel' % bb['depth']] + W['dense%d/bias' % bb['depth']]
    return {'noise': -out / b, 'score': out, 'data': (a * out - x) / b ** 2}[net['parameterisation']]
x = np.array(probe['x'])
worst = 0.0
for tau, ours in zip(probe['taus'], probe['scores']):
    ref = score(x, tau)
    worst = max(worst, float(np.max(np.abs(ref - np.array(ours)) / np.maximum(1, np.abs(ref)))))
print(json.dumps({'worst': worst}))
`;

const hasNumpy = spawnSync('python3', ['-c', 'import numpy'], { encoding: 'utf8' }).status === 0;
if (!hasNumpy) console.log('skipping the numpy rebuild test: python3 with numpy is not available here');

describe('safetensors + config.json rebuild the network in numpy', () => {
  it.skipIf(!hasNumpy).each([
    ['vp, noise prediction, silu', () => vpRun],
    ['pbm, data prediction, gelu', () => pbmRun],
  ])('%s', async (_name, run) => {
    const out = await exportRun(run(), '--format', 'safetensors');
    const model = await loadScoreModel(out);
    const xs = Float32Array.from(Rng.fromSeed(5).normals(32 * 2), (v) => 4 * v);
    const taus = [0.002, 0.1, 0.5, 0.9];
    const x = tf.tensor2d(xs, [32, 2]);
    const scores = taus.map((tau) => {
      const s = model.score(x, tau);
      const rows = s.arraySync();
      s.dispose();
      return rows;
    });
    const rows = x.arraySync();
    x.dispose();
    model.dispose();
    const probe = path.join(tempDir('probe'), 'probe.json');
    fs.writeFileSync(probe, JSON.stringify({ x: rows, taus, scores }));
    const result = spawnSync('python3', ['-c', NUMPY_REBUILD, out, probe], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout).worst).toBeLessThan(1e-4);
  });
});
