/**
 * The static page: loads a bundle with TensorFlow.js, samples with the reverse
 * SDE and plots the samples over the target density. Settings come from the
 * form, pre-filled from the query string (?bundle=URL&n=&solver=&steps=&seed=&backend=&autorun=1).
 * The solver list is the registry's; an empty choice keeps the bundle's.
 * window.scoreSde exposes the state and the samples (for the headless test).
 */
import { createTargetFromConfig } from '../../../datasets/exact-targets.js';
import type { Target } from '../../../datasets/target.js';
import { mmd2 } from '../../metrics/mmd.js';
import { Rng } from '../../rng.js';
import { RNG_STREAMS } from '../../rng-streams.js';
import { loadScoreModel, samplerSettings, sampleWithCost, SOLVER_NAMES, type ScoreModel, type SolverName } from '../index.js';
import { initPageBackend, PAGE_BACKENDS, type PageBackend } from './backend.js';
import { clearPlot, drawDensity, drawPoints, viewAround } from './plot.js';

export interface PageState {
  state: 'idle' | 'loading' | 'sampling' | 'done' | 'error';
  /** Counts the runs started since the page loaded, so a caller can wait for a particular one. */
  run: number;
  error?: string;
  backend?: string;
  n?: number;
  solver?: string;
  steps?: number;
  /** Network evaluations per sample, as counted. */
  nfe?: number;
  seed?: number;
  samples?: number[];
  mmd2?: number | null;
  samplingSeconds?: number;
}

declare global {
  interface Window {
    scoreSde: PageState;
  }
}

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

interface Settings {
  bundle: string;
  n: number;
  /** Undefined: the bundle's. */
  solver: SolverName | undefined;
  steps: number;
  seed: number | undefined;
  backend: PageBackend;
}

function readSettings(): Settings {
  const int = (id: string) => Number.parseInt($<HTMLInputElement>(id).value, 10);
  const seedText = $<HTMLInputElement>('seed').value.trim();
  const settings = {
    bundle: $<HTMLInputElement>('bundle').value.trim(),
    n: int('n'),
    solver: ($<HTMLSelectElement>('solver').value || undefined) as SolverName | undefined,
    steps: int('steps'),
    seed: seedText === '' ? undefined : Number.parseInt(seedText, 10),
    backend: $<HTMLSelectElement>('backend').value as PageBackend,
  };
  if (!(settings.n >= 2)) throw new Error('samples: give an integer of at least 2');
  if (!(settings.steps >= 1)) throw new Error('steps: give a positive integer');
  if (settings.seed !== undefined && !Number.isInteger(settings.seed)) throw new Error('seed: give an integer or leave it empty');
  return settings;
}

function prefillFromQuery(): boolean {
  const query = new URLSearchParams(location.search);
  for (const id of ['bundle', 'n', 'steps', 'seed']) {
    const value = query.get(id);
    if (value !== null) $<HTMLInputElement>(id).value = value;
  }
  const solver = query.get('solver');
  if (solver !== null && (SOLVER_NAMES as readonly string[]).includes(solver)) $<HTMLSelectElement>('solver').value = solver;
  const backend = query.get('backend');
  if (backend !== null && (PAGE_BACKENDS as readonly string[]).includes(backend)) $<HTMLSelectElement>('backend').value = backend;
  return query.get('autorun') === '1';
}

function setStatus(text: string): void {
  $('status').textContent = text;
}

function describeModel(model: ScoreModel): string {
  const c = model.config;
  const b = c.network.backbone;
  const lines = [
    `${b.kind} ${'depth' in b ? `${b.depth} x ${b.width} ${b.activation}` : ''}, ${c.network.parameterisation} prediction, ${c.source.weights} weights at step ${c.source.step}`,
    `process ${c.process.name} (${Object.entries(c.process.params).map(([k, v]) => `${k} = ${v}`).join(', ')}), prior ${c.process.prior}`,
    `target ${c.target.name} (d = ${c.target.dim})`,
  ];
  const evaluation = c.evaluation.at(-1);
  if (evaluation && typeof evaluation['mmd'] === 'number') lines.push(`run's evaluation (${evaluation.label}): MMD^2 ${evaluation['mmd'].toExponential(3)}`);
  return lines.join('\n');
}

function targetOf(model: ScoreModel): Target | null {
  try {
    return createTargetFromConfig(model.config.target.name, model.config.target.options);
  } catch {
    return null;
  }
}

/** One load + sample + plot, reported through window.scoreSde. */
async function run(cache: Map<string, ScoreModel>, runNumber: number): Promise<void> {
  window.scoreSde = { state: 'loading', run: runNumber };
  const settings = readSettings();
  const progress = $<HTMLProgressElement>('progress');
  progress.value = 0;
  setStatus('starting TensorFlow.js...');
  const backend = await initPageBackend(settings.backend);
  const key = `${backend.name} ${settings.bundle}`;
  setStatus(`loading ${settings.bundle}...`);
  let model = cache.get(key);
  if (!model) {
    model = await loadScoreModel(settings.bundle);
    cache.set(key, model);
  }
  $('description').textContent = describeModel(model);
  const d = model.dim;
  // The form's settings over the bundle's recorded ones (its solver when none is chosen, corrector, clip, and seed when left empty).
  const request = { solver: settings.solver, steps: settings.steps, seed: settings.seed };
  const resolved = samplerSettings(model, request);
  const { seed } = resolved;
  const solver = resolved.solver ?? 'euler-maruyama';
  const target = targetOf(model);
  const canvas = $<HTMLCanvasElement>('plot');
  const reference = target ? target.sample(settings.n, Rng.derive(seed, RNG_STREAMS.reference, 0)) : null;
  clearPlot(canvas);
  let view = reference ? viewAround(reference, d) : null;
  if (target && view && d === 2) drawDensity(canvas, target, view);
  else if (reference && view) drawPoints(canvas, reference, d, view, '#bbb');

  window.scoreSde = { state: 'sampling', run: runNumber, backend: backend.name };
  const started = performance.now();
  const { samples: samples32, nfe } = await sampleWithCost(model, {
    n: settings.n,
    ...request,
    onProgress: (done, total) => {
      const seconds = (performance.now() - started) / 1000;
      const rate = done / Math.max(seconds, 1e-9);
      progress.max = total;
      progress.value = done;
      setStatus(`${backend.note ? backend.note + '; ' : ''}${solver}: ${done}/${total}, ETA ${((total - done) / rate).toFixed(1)} s`);
    },
  });
  const samplingSeconds = (performance.now() - started) / 1000;
  const samples = Float64Array.from(samples32);
  view ??= viewAround(samples, d);
  drawPoints(canvas, samples, d, view, 'rgba(230, 110, 0, 0.75)');
  const distance = reference ? mmd2(samples, reference, d) : null;
  setStatus(
    `${settings.n} samples, ${solver}${resolved.tolerance ? '' : `, ${settings.steps} steps`}, ${nfe} network evaluations each, seed ${seed}, ${backend.name} backend, ${samplingSeconds.toFixed(1)} s` +
      (distance !== null ? `; MMD^2 against ${settings.n} target samples: ${distance.toExponential(3)}` : ''),
  );
  window.scoreSde = {
    state: 'done',
    run: runNumber,
    backend: backend.name,
    n: settings.n,
    solver,
    steps: settings.steps,
    nfe,
    seed,
    samples: Array.from(samples32),
    mmd2: distance,
    samplingSeconds,
  };
}

function start(): void {
  window.scoreSde = { state: 'idle', run: 0 };
  const solvers = $<HTMLSelectElement>('solver');
  for (const name of SOLVER_NAMES) solvers.add(new Option(name, name));
  const cache = new Map<string, ScoreModel>();
  const button = $<HTMLButtonElement>('sample');
  let runs = 0;
  const go = () => {
    button.disabled = true;
    const runNumber = ++runs;
    run(cache, runNumber)
      .catch((err: unknown) => {
        const message = err instanceof Error ? err.message : String(err);
        window.scoreSde = { state: 'error', run: runNumber, error: message };
        setStatus(`error: ${message}`);
      })
      .finally(() => {
        button.disabled = false;
      });
  };
  $<HTMLFormElement>('controls').addEventListener('submit', (event) => {
    event.preventDefault();
    go();
  });
  if (prefillFromQuery()) go();
}

start();
