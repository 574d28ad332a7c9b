import * as tf from '@tensorflow/tfjs-core';
import { createBackbone, type Backbone } from '../../models/index.js';
import { processFromParams } from '../process/index.js';
import { Rng } from '../rng.js';
import { sha256Hex } from './digest.js';
import { BundleError } from './errors.js';
import { BUNDLE_FILES, BUNDLE_FORMAT, BUNDLE_FORMAT_VERSION, bundleConfigSchema, type BundleConfig, type WeightFormat } from './format.js';
import type { NamedTensor } from './named-tensors.js';
import type { BundleReader } from './reader.js';
import { decodeSafetensors } from './safetensors.js';
import { scoreModel, type ScoreModel } from './score-model.js';
import { decodeTfjsWeights } from './tfjs-weights.js';

export interface LoadOptions {
  /** Which weight file to read when the bundle has both (default: tfjs). */
  prefer?: WeightFormat;
}

/** Parses and validates config.json: format, version, then every field. */
export function parseBundleConfig(bytes: Uint8Array, file: string): BundleConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder().decode(bytes));
  } catch (err) {
    throw new BundleError(`${file}: not valid JSON (${(err as Error).message.split('\n')[0]})`);
  }
  const head = (typeof raw === 'object' && raw !== null ? raw : {}) as { format?: unknown; formatVersion?: unknown };
  if (head.format !== BUNDLE_FORMAT) throw new BundleError(`${file}: not a score-sde bundle (format is ${JSON.stringify(head.format)}, expected "${BUNDLE_FORMAT}")`);
  if (typeof head.formatVersion === 'number' && head.formatVersion > BUNDLE_FORMAT_VERSION) {
    throw new BundleError(
      `${file}: bundle format version ${head.formatVersion} is newer than this build reads (${BUNDLE_FORMAT_VERSION}); update score-sde to load it`,
    );
  }
  const parsed = bundleConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new BundleError(`${file}: field ${issue.path.join('.') || '(root)'} is invalid: ${issue.message}`);
  }
  return parsed.data;
}

async function readTensors(reader: BundleReader, config: BundleConfig, format: WeightFormat): Promise<{ file: string; tensors: NamedTensor[] }> {
  const entry = config.weights[format]!;
  const file = reader.locate(entry.file);
  const bytes = await reader.read(entry.file);
  if (bytes.length < entry.byteLength) {
    throw new BundleError(`${file}: truncated: ${BUNDLE_FILES.config} lists ${entry.byteLength} bytes, found ${bytes.length}`);
  }
  if (entry.sha256 !== undefined) {
    const actual = await sha256Hex(bytes);
    if (actual !== undefined && actual !== entry.sha256) {
      throw new BundleError(`${file}: does not match the SHA-256 recorded in ${BUNDLE_FILES.config} (the file is damaged or was replaced); export the bundle again`);
    }
  }
  if (format === 'safetensors') return { file, tensors: decodeSafetensors(bytes, file).tensors };
  const manifest = config.weights.tfjs!.weightsManifest[0]!;
  return { file, tensors: decodeTfjsWeights(bytes, manifest.weights, file) };
}

/** Copies the file's tensors into the backbone; every parameter must be there with its shape, and nothing else. */
function assignWeights(backbone: Backbone, tensors: NamedTensor[], file: string): void {
  const byName = new Map(tensors.map((t) => [t.name, t]));
  for (const p of backbone.params) {
    const t = byName.get(p.name);
    if (!t) throw new BundleError(`${file}: weight ${p.name} is missing (the network in ${BUNDLE_FILES.config} needs it)`);
    if (t.shape.join(',') !== p.variable.shape.join(',')) {
      throw new BundleError(`${file}: weight ${p.name} has shape [${t.shape}], the network in ${BUNDLE_FILES.config} needs [${p.variable.shape}]`);
    }
    byName.delete(p.name);
  }
  const extra = [...byName.keys()];
  if (extra.length > 0) throw new BundleError(`${file}: weight ${extra[0]} is not part of the network in ${BUNDLE_FILES.config}`);
  const wanted = new Map(tensors.map((t) => [t.name, t]));
  for (const p of backbone.params) {
    const t = wanted.get(p.name)!;
    tf.tidy(() => p.variable.assign(tf.tensor(t.data, p.variable.shape)));
  }
}

/**
 * Loads a bundle into a score model on the active tfjs backend. Uses no
 * Node-only module: the reader decides where the bytes come from.
 */
export async function loadScoreModelFrom(reader: BundleReader, options: LoadOptions = {}): Promise<ScoreModel> {
  const configFile = reader.locate(BUNDLE_FILES.config);
  const config = parseBundleConfig(await reader.read(BUNDLE_FILES.config), configFile);
  const process = processFromParams(config.process.name, config.process.params, configFile, BundleError);
  const format: WeightFormat =
    options.prefer && config.weights[options.prefer] ? options.prefer : config.weights.tfjs ? 'tfjs' : 'safetensors';
  const { file, tensors } = await readTensors(reader, config, format);
  if (config.network.backbone.dim !== config.target.dim) {
    throw new BundleError(`${configFile}: network dimension ${config.network.backbone.dim} differs from the target's ${config.target.dim}`);
  }
  // The initial values are overwritten: any seed will do.
  const backbone = createBackbone(config.network.backbone, Rng.fromSeed(0));
  try {
    assignWeights(backbone, tensors, file);
  } catch (err) {
    backbone.dispose();
    throw err;
  }
  return scoreModel(config, process, { backbone, parameterisation: config.network.parameterisation, dataStd: config.network.dataStd });
}
