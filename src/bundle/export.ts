import * as fs from 'node:fs';
import * as path from 'node:path';
import { UsageError } from '../errors.js';
import { readJsonFileSync, writeFileAtomicSync } from '../io/atomic.js';
import { describeOccupants, occupantsOf, writeFolderStagedSync } from '../io/staged-dir.js';
import { createBackbone } from '../../models/index.js';
import { backboneConfig } from '../config/run-config.js';
import { Rng } from '../rng.js';
import { hasCheckpoint, readRunConfig, RUN_FILES } from '../run/run-dir.js';
import { loadWeights } from '../train/state.js';
import { BUNDLE_FILES, type BundleConfig, type WeightFormat } from './format.js';
import { buildBundleFiles } from './manifest.js';
import type { NamedTensor } from './named-tensors.js';
import type { SamplerSettings } from '../sampler/settings.js';

export interface ExportRequest {
  runDir: string;
  outDir: string;
  formats: WeightFormat[];
  weights: 'ema' | 'raw';
  /** Recommended sampler settings recorded in the bundle (its seed too; the process records the time range). */
  sampler: SamplerSettings;
  producer: string;
  now?: Date;
}

export interface ExportResult {
  outDir: string;
  config: BundleConfig;
  /** File name -> size in bytes. */
  files: Record<string, number>;
}

/** The run's evaluations: samples/<label>/metrics.json, each tagged with its label. */
function readEvaluations(runDir: string): BundleConfig['evaluation'] {
  const dir = path.join(runDir, RUN_FILES.samples);
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !e.name.startsWith('.') && fs.existsSync(path.join(dir, e.name, 'metrics.json')))
    .map((e) => e.name)
    .sort()
    .map((label) => ({ label, ...(readJsonFileSync(path.join(dir, label, 'metrics.json')) as Record<string, unknown>) }));
}

/** A bundle never lands on top of anything: --out must be missing or an empty folder. */
function refuseExisting(outDir: string): void {
  const occupants = occupantsOf(outDir);
  if (occupants === null) return;
  if (occupants.kind === 'file') throw new UsageError(`--out ${outDir}: exists as a file; choose a new directory`);
  throw new UsageError(`--out ${outDir}: already holds ${describeOccupants(occupants.names)}; choose a new or empty directory`);
}

/**
 * Writes a bundle: the weights (checked against the run's network on the way
 * out), then config.json last, into a temporary folder beside --out that is
 * renamed into place when complete: a crash or a full disk leaves no partial
 * bundle (and a bundle without config.json would be refused as incomplete).
 * Needs an initialised tfjs backend (the network is rebuilt to validate the weights).
 */
export function exportBundle(req: ExportRequest): ExportResult {
  const run = readRunConfig(req.runDir, '--run');
  if (!hasCheckpoint(req.runDir)) {
    throw new UsageError(`--run ${req.runDir}: no ${RUN_FILES.checkpoint} yet (training wrote no checkpoint); train first`);
  }
  refuseExisting(req.outDir);
  // Only the network is needed (not the data: MNIST would be read for nothing); its initial values are overwritten.
  const parts = { backbone: createBackbone(backboneConfig(run.model), Rng.fromSeed(0)) };
  try {
    const step = loadWeights(req.runDir, parts.backbone, req.weights === 'ema' ? 'ema' : 'params');
    const tensors: NamedTensor[] = parts.backbone.params.map((p) => ({
      name: p.name,
      shape: p.variable.shape,
      data: Float32Array.from(p.variable.dataSync()),
    }));
    const { config, files } = buildBundleFiles({
      run,
      tensors,
      weights: req.weights,
      step,
      formats: req.formats,
      evaluation: readEvaluations(req.runDir),
      sampler: req.sampler,
      producer: req.producer,
      createdAt: (req.now ?? new Date()).toISOString(),
    });
    const order = [...files.keys()].filter((f) => f !== BUNDLE_FILES.config).concat(BUNDLE_FILES.config);
    const sizes: Record<string, number> = {};
    writeFolderStagedSync(req.outDir, (dir) => {
      for (const name of order) {
        const bytes = files.get(name)!;
        writeFileAtomicSync(path.join(dir, name), bytes);
        sizes[name] = bytes.length;
      }
    });
    return { outDir: req.outDir, config, files: sizes };
  } finally {
    parts.backbone.dispose();
  }
}
