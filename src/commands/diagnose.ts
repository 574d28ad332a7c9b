import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { exactTargetModule, type TargetName } from '../../datasets/exact-targets.js';
import { requestFlag, TARGET_REQUEST_KEYS, type TargetRequest } from '../../datasets/target-module.js';
import type { Target } from '../../datasets/target.js';
import { describeBackend, initBackend } from '../platform/backend.js';
import { DIAGNOSE_DEFAULTS as D } from '../config/diagnose-defaults.js';
import { progressBar } from './progress.js';
import { printJsonSummary } from './json-summary.js';
import { diagnose, type DiagnoseSettings, type DiagnosticsResult, type NetworkSource } from '../diagnostics/diagnose.js';
import { writeFigures } from '../diagnostics/figures.js';
import { diagnosticsJson, type DiagnosticsContext } from '../diagnostics/report.js';
import { logGrid, ouLevel, processLevel, snrAt, snrRange, type SnrLevel } from '../diagnostics/snr.js';
import { describeSummary, fmt } from '../diagnostics/summary.js';
import { UsageError } from '../errors.js';
import { writeFileAtomicSync } from '../io/atomic.js';
import { checkOutPlace, makeDir } from '../io/out-place.js';
import { buildRun } from '../run/build.js';
import { hasCheckpoint, readRunConfig, RUN_FILES } from '../run/run-dir.js';
import { networkScoreFunction } from '../sampler/score-function.js';
import { loadWeights } from '../train/state.js';
import type { DiagnoseCommandRequest } from './diagnose-request.js';
import { folderTimeStamp } from '../io/time-stamp.js';

export const DIAGNOSTICS_FILE = 'diagnostics.json';

/** Where the points come from and how r maps to (a, b, tau). */
interface Source {
  label: string;
  target: Target;
  level: (r: number) => SnrLevel;
  network?: NetworkSource;
  context: DiagnosticsContext;
  defaultOut: string;
  /** The default per-run folder is regenerated in place; every other directory must be new or empty. */
  overwriteDefault: boolean;
}

/** The target options diagnose takes (exact targets only, so no data files), in the order they are checked. */
const TARGET_REQUEST_FLAGS = ['dim', 'components', 'targetSeed', 'std', 'mu'] as const satisfies readonly (keyof DiagnoseCommandRequest)[];
const TARGET_FLAG_NAMES: [keyof DiagnoseCommandRequest, string][] = TARGET_REQUEST_FLAGS.map((key) => [key, requestFlag(key)]);
const NETWORK_FLAG_NAMES: [keyof DiagnoseCommandRequest, string][] = [
  ['weights', '--weights'],
  ['jacobian', '--jacobian'],
  ['batchSize', '--batch-size'],
  ['backend', '--backend'],
  ['threads', '--threads'],
];

function rejectGiven(f: DiagnoseCommandRequest, names: [keyof DiagnoseCommandRequest, string][], why: string): void {
  for (const [key, name] of names) {
    if (f[key] !== undefined) throw new UsageError(`${name} ${String(f[key])}: ${why}`);
  }
}

function resolveSettings(f: DiagnoseCommandRequest): DiagnoseSettings {
  let rGrid: number[];
  if (f.r !== undefined) {
    if (f.rMin !== undefined || f.rMax !== undefined || f.rCount !== undefined) {
      throw new UsageError(`--r ${f.r.join(',')}: give either --r or --r-min/--r-max/--r-count, not both`);
    }
    rGrid = f.r;
  } else {
    const rMin = f.rMin ?? D.rMin;
    const rMax = f.rMax ?? D.rMax;
    const rCount = f.rCount ?? D.rCount;
    if (rCount > 1 && !(rMin < rMax)) throw new UsageError(`--r-min ${rMin}: must be below --r-max (${rMax})`);
    rGrid = logGrid(rMin, rMax, rCount);
  }
  return {
    rGrid,
    n: f.n ?? D.n,
    uCount: f.uCount ?? D.uCount,
    uMax: f.uMax ?? null,
    deltaCount: f.deltaCount ?? D.deltaCount,
    mValues: f.m ?? [...D.m],
    seed: f.seed ?? D.seed,
  };
}

function targetSource(f: DiagnoseCommandRequest, name: TargetName): Source {
  rejectGiven(f, NETWORK_FLAG_NAMES, 'applies only with --run (a network); --target is computed exactly');
  const module = exactTargetModule(name);
  const request: TargetRequest = {};
  for (const key of TARGET_REQUEST_FLAGS) request[key] = f[key];
  let target: Target;
  try {
    // No run seed: gmm's means keep their own default seed.
    target = module.create(module.optionsFromRequest(request));
  } catch (err) {
    if (err instanceof UsageError) throw err;
    const issues = (err as { issues?: { path: PropertyKey[]; message: string }[] }).issues;
    const option = issues?.[0]?.path[0];
    const key = TARGET_REQUEST_KEYS.find((k) => module.requestKeys[k]?.option === option);
    const why = issues?.[0]?.message ?? (err instanceof Error ? err.message : String(err));
    throw new UsageError(`${key ? requestFlag(key) : '--target'} ${key ? String(request[key]) : name}: not accepted by --target ${name} (${why})`);
  }
  return {
    label: target.name,
    target,
    level: ouLevel,
    context: { source: 'target', target: { name: target.name, params: target.params }, process: 'OU (a = r / sqrt(1 + r^2), b = 1 / sqrt(1 + r^2))' },
    defaultOut: path.join('checkpoints', 'diagnostics', `${target.name}-${folderTimeStamp()}`),
    overwriteDefault: false,
  };
}

async function runSource(f: DiagnoseCommandRequest, dir: string, settings: DiagnoseSettings): Promise<Source> {
  rejectGiven(f, TARGET_FLAG_NAMES, "does not apply with --run: the run's config.json fixes the target");
  const config = readRunConfig(dir, '--run');
  if (!hasCheckpoint(dir)) throw new UsageError(`--run ${dir}: no ${RUN_FILES.checkpoint} yet (training wrote no checkpoint)`);
  // The network's tensors need the backend, so it comes first.
  const backend = await initBackend(f.backend ?? D.backend, { threads: f.threads });
  console.log(describeBackend(backend));
  const parts = buildRun(config, `--run ${dir}`);
  const proc = parts.path;
  const reach = snrRange(proc);
  const rLow = settings.rGrid[0];
  const rHigh = settings.rGrid[settings.rGrid.length - 1];
  if (rLow < reach.min) throw new UsageError(`--r-min ${rLow}: the ${proc.name} process never gets that noisy; accepted: r >= ${fmt(reach.min)}`);
  if (rHigh > reach.max) throw new UsageError(`--r-max ${rHigh}: beyond the ${proc.name} process's reach; accepted: r <= ${fmt(reach.max)}`);
  const weights = f.weights ?? D.weights;
  const step = loadWeights(dir, parts.backbone, weights === 'ema' ? 'ema' : 'params');
  // The network was trained on tau in [tauMin, tauMax]; r outside the matching SNR range is extrapolation.
  const trained = { min: snrAt(proc, proc.tauMax), max: snrAt(proc, proc.tauMin) };
  const outside = settings.rGrid.filter((r) => r < trained.min || r > trained.max);
  if (outside.length > 0) {
    console.log(`note: ${outside.length} values of r lie outside the trained range [${fmt(trained.min)}, ${fmt(trained.max)}] of tau in [${proc.tauMin}, ${proc.tauMax}]`);
  }
  return {
    label: `${config.target.name}, ${proc.name} network`,
    target: parts.target,
    level: (r) => processLevel(proc, r),
    network: {
      score: networkScoreFunction(parts.net),
      method: f.jacobian ?? D.jacobian,
      batchSize: f.batchSize ?? D.batchSize,
    },
    context: {
      source: 'run',
      run_dir: dir,
      target: { name: config.target.name, params: config.target.params },
      process: { name: proc.name, params: proc.params },
      weights,
      step,
      backend: backend.name,
      trained_r_range: [trained.min, trained.max],
    },
    defaultOut: path.join(dir, 'diagnostics'),
    overwriteDefault: true,
  };
}

/** The output directory, checked before any work so a refusal costs nothing and touches nothing. */
function outputDir(f: DiagnoseCommandRequest, source: Source): string {
  const dir = f.out ?? source.defaultOut;
  const regenerate = f.out === undefined && source.overwriteDefault;
  if (fs.existsSync(dir) && !regenerate) {
    const isDir = fs.statSync(dir).isDirectory();
    if (!isDir || fs.readdirSync(dir).length > 0) {
      throw new UsageError(`--out ${dir}: already exists${isDir ? ' and is not empty' : ' as a file'}; choose a new directory`);
    }
  }
  // Under a file, /proc or a read-only disk: refused now, not after the work (a plain recursive mkdir loops under /proc).
  checkOutPlace(dir, f.out !== undefined ? '--out' : '');
  return dir;
}

function printReport(result: DiagnosticsResult): void {
  const rs = result.settings.rGrid;
  for (const line of describeSummary('exact', result.exact.summary, rs)) console.log(line);
  const { network, comparison } = result;
  if (!network || !comparison) return;
  for (const line of describeSummary('network', network.summary, rs)) console.log(line);
  const worstNegative = network.negativeShare.indexOf(Math.max(...network.negativeShare));
  console.log(
    `network Jacobian: asymmetry ||J - J^T|| / ||J|| mean ${fmt(Math.max(...network.asymmetryMean))} at worst r (largest single point ${fmt(Math.max(...network.asymmetryMax))}); ` +
      `points with a negative eigenvalue of C: up to ${fmt(100 * network.negativeShare[worstNegative])}% (r = ${fmt(rs[worstNegative])})`,
  );
  console.log(
    `largest |network - exact| over r: survival sup_u ${fmt(comparison.survivalMax)}, mean |L| ${fmt(comparison.localisationMeanAbsMax)}, ` +
      `m* ${fmt(comparison.mStarMax)}, delta* ${fmt(comparison.deltaStarMax)}, ` +
      `zeta*_M ${comparison.zetaMax.map((z, j) => `M=${result.settings.mValues[j]} ${fmt(z)}`).join(', ')} ` +
      `(divided by 1 + r^2: ${fmt(Math.max(...comparison.zetaScaledMax))})`,
  );
}

/** `npm run diagnose`: localisation and curvature diagnostics per SNR (docs/math.md section 6). */
export async function diagnoseCommand(f: DiagnoseCommandRequest): Promise<number> {
  const startedAt = performance.now();
  if ((f.target === undefined) === (f.run === undefined)) {
    throw new UsageError(`${f.target !== undefined ? `--target ${f.target} --run ${f.run}` : '--target'}: give exactly one of --target NAME and --run DIR; see npm run diagnose -- --help`);
  }
  const settings = resolveSettings(f);
  const source = f.run !== undefined ? await runSource(f, f.run, settings) : targetSource(f, f.target!);
  const outDir = outputDir(f, source);
  const rs = settings.rGrid;
  console.log(
    `diagnosing ${source.label}: ${rs.length} values of r in [${fmt(rs[0])}, ${fmt(rs[rs.length - 1])}], ` +
      `${settings.n} points each, M = ${settings.mValues.join(', ')}, seed ${settings.seed}`,
  );
  const bar = progressBar('diagnose', rs.length, 'r');
  let result: DiagnosticsResult;
  try {
    result = diagnose(
      { target: source.target, level: source.level, network: source.network, onLevel: (done) => bar.update(done) },
      settings,
    );
  } finally {
    bar.stop();
  }
  printReport(result);

  makeDir(outDir, f.out !== undefined ? '--out' : '');
  const json = diagnosticsJson(result, source.context);
  writeFileAtomicSync(path.join(outDir, DIAGNOSTICS_FILE), JSON.stringify(json) + '\n');
  const figures = await writeFigures(result, outDir, source.label);
  console.log(`curves and figures: ${outDir} (${DIAGNOSTICS_FILE}, ${figures.join(', ')})`);
  if (f.json) {
    printJsonSummary({
      status: 'completed',
      out_dir: outDir,
      ...source.context,
      wall_seconds: (performance.now() - startedAt) / 1000,
      exact: json.exact.summary,
      network: json.network ? { summary: json.network.summary, asymmetry_mean_max: Math.max(...json.network.asymmetry_mean), negative_eigenvalue_share_max: Math.max(...json.network.negative_eigenvalue_share) } : null,
      comparison: json.comparison?.max ?? null,
    });
  }
  if (source.network) tf.disposeVariables();
  return 0;
}
