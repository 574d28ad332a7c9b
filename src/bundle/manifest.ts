import type { DataRange } from '../../datasets/target.js';
import type { RunConfig } from '../config/run-config.js';
import { describeNetwork } from './describe-network.js';
import { PROCESS_FORMULAS, SAMPLER_UPDATE } from './describe-process.js';
import { processFromDescription } from './process.js';
import { BUNDLE_FILES, BUNDLE_FORMAT, BUNDLE_FORMAT_VERSION, type BundleConfig, type WeightFormat } from './format.js';
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
  /** Recommended sampler settings (those of the run's own evaluation). */
  sampler: { steps: number; denoise: boolean; batchSize: number; clip: DataRange | null };
  producer: string;
  createdAt: string;
}

/** The bundle's files, by name: config.json and the weight files. */
export function buildBundleFiles(c: BundleContents): { config: BundleConfig; files: Map<string, Uint8Array> } {
  const { parameterisation, dataStd, ...backbone } = c.run.model;
  const description = describeNetwork(backbone, parameterisation);
  const path = processFromDescription(c.run.process.name, c.run.process.params, 'config.json');
  const specs = c.tensors.map((t) => ({ name: t.name, shape: t.shape, dtype: 'float32' as const }));
  const files = new Map<string, Uint8Array>();
  const weights: BundleConfig['weights'] = {};
  if (c.formats.includes('tfjs')) {
    const bytes = encodeTfjsWeights(c.tensors);
    files.set(BUNDLE_FILES.tfjs, bytes);
    weights.tfjs = {
      file: BUNDLE_FILES.tfjs,
      byteLength: bytes.length,
      weightsManifest: [{ paths: [BUNDLE_FILES.tfjs], weights: specs }],
    };
  }
  if (c.formats.includes('safetensors')) {
    const metadata = { format: BUNDLE_FORMAT, format_version: String(BUNDLE_FORMAT_VERSION), config: BUNDLE_FILES.config };
    const bytes = encodeSafetensors(c.tensors, metadata);
    files.set(BUNDLE_FILES.safetensors, bytes);
    weights.safetensors = { file: BUNDLE_FILES.safetensors, byteLength: bytes.length };
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
      formulas: PROCESS_FORMULAS[path.name],
    },
    sampler: { method: 'euler-maruyama', ...c.sampler, seed: c.run.train.seed, update: SAMPLER_UPDATE },
    target: c.run.target,
    training: { ...c.run.train, backend: c.run.backend },
    evaluation: c.evaluation,
    weights,
  };
  files.set(BUNDLE_FILES.config, new TextEncoder().encode(JSON.stringify(config, null, 2) + '\n'));
  return { config, files };
}

