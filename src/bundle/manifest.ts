import { createHash } from 'node:crypto';
import type { RunConfig } from '../config/run-config.js';
import { processFromParams, processModule } from '../process/index.js';
import type { SamplerSettings } from '../sampler/settings.js';
import { describeNetwork } from './describe-network.js';
import { BundleError } from './errors.js';
import { BUNDLE_FILES, BUNDLE_FORMAT, BUNDLE_FORMAT_VERSION, type BundleConfig, type WeightFormat } from './format.js';
import { samplerRecord } from './sampler-record.js';
import { encodeSafetensors } from './safetensors.js';
import { encodeTfjsWeights } from './tfjs-weights.js';
import type { NamedTensor } from './named-tensors.js';

export interface BundleContents {
  run: RunConfig;
  tensors: NamedTensor[];
  weights: 'ema' | 'raw';
  step: number;
  formats: WeightFormat[];
  /** The run's metrics.json files, each with the name of its samples folder. */
  evaluation: BundleConfig['evaluation'];
  /** Recommended sampler settings (those `npm run sample` takes on the run); the process's time range is recorded with the process. */
  sampler: SamplerSettings;
  producer: string;
  createdAt: string;
}

/** Recorded so that loaders can tell a damaged or replaced weight file (Node only: export runs in Node). */
function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The bundle's files, by name: config.json and the weight files. */
export function buildBundleFiles(c: BundleContents): { config: BundleConfig; files: Map<string, Uint8Array> } {
  const { parameterisation, dataStd, ...backbone } = c.run.model;
  const description = describeNetwork(backbone, parameterisation);
  const path = processFromParams(c.run.process.name, c.run.process.params, 'config.json', BundleError);
  const specs = c.tensors.map((t) => ({ name: t.name, shape: t.shape, dtype: 'float32' as const }));
  const files = new Map<string, Uint8Array>();
  const weights: BundleConfig['weights'] = {};
  if (c.formats.includes('tfjs')) {
    const bytes = encodeTfjsWeights(c.tensors);
    files.set(BUNDLE_FILES.tfjs, bytes);
    weights.tfjs = {
      file: BUNDLE_FILES.tfjs,
      byteLength: bytes.length,
      sha256: sha256Hex(bytes),
      weightsManifest: [{ paths: [BUNDLE_FILES.tfjs], weights: specs }],
    };
  }
  if (c.formats.includes('safetensors')) {
    const metadata = { format: BUNDLE_FORMAT, format_version: String(BUNDLE_FORMAT_VERSION), config: BUNDLE_FILES.config };
    const bytes = encodeSafetensors(c.tensors, metadata);
    files.set(BUNDLE_FILES.safetensors, bytes);
    weights.safetensors = { file: BUNDLE_FILES.safetensors, byteLength: bytes.length, sha256: sha256Hex(bytes) };
  }
  const config: BundleConfig = {
    format: BUNDLE_FORMAT,
    formatVersion: BUNDLE_FORMAT_VERSION,
    createdAt: c.createdAt,
    producer: c.producer,
    source: { weights: c.weights, step: c.step, runFormatVersion: c.run.formatVersion },
    network: {
      backbone,
      parameterisation,
      dataStd,
      tensors: specs.map((s) => ({ ...s, layout: description.layout(s.name) })),
      forward: description.forward,
      constants: description.constants,
    },
    process: {
      name: path.name,
      params: path.params,
      tauMin: path.tauMin,
      tauMax: path.tauMax,
      prior: path.priorDescription,
      formulas: processModule(path.name).formulas,
    },
    sampler: samplerRecord(c.sampler),
    target: c.run.target,
    training: { ...c.run.train, backend: c.run.backend },
    evaluation: c.evaluation,
    weights,
  };
  files.set(BUNDLE_FILES.config, new TextEncoder().encode(JSON.stringify(config, null, 2) + '\n'));
  return { config, files };
}

