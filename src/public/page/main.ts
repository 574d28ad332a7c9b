/**
 * The static page: loads a bundle with TensorFlow.js, samples with the reverse
 * SDE (or the chosen solver) and plots the samples over the target density. Settings come from the
 * form, pre-filled from the query string (?bundle=URL&n=&solver=&steps=&seed=&backend=&frameEvery=&autorun=1),
 * or from a local bundle folder picked with the file input (no server needed).
 * Points are drawn as they move (a frame every few steps) on axes with a legend,
 * in the CLI plot's colours; an image bundle is drawn as a grid of its images.
 * The solver list is the registry's; an empty choice keeps the bundle's.
 * window.scoreSde exposes the state and the samples (for the headless test).
 */
import { createTargetFromConfig } from '../../../datasets/exact-targets.js';
import type { Target } from '../../../datasets/target.js';
import { mmd2 } from '../../metrics/mmd.js';
import { Rng } from '../../rng.js';
import { RNG_STREAMS } from '../../rng-streams.js';
import { REFERENCE_COLOUR, SAMPLE_COLOUR } from '../../plot/palette.js';
import { filesReader, loadScoreModel, samplerSettings, sampleWithCost, SOLVER_NAMES, type BundleReader, type ScoreModel, type SolverName } from '../index.js';
import { clearAxes, drawAxes, type FigureLayout } from './axes.js';
import { initPageBackend, PAGE_BACKENDS, type PageBackend } from './backend.js';
import { clearPlot, drawDensity, drawImageGrid, drawPoints, gridColumns, viewAround, type ImageShape } from './plot.js';

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
  /** MMD^2 between two independent target samples of n (null where the target is not available). */
  floor?: number | null;
  samplingSeconds?: number;
  /** Frames of the reverse process drawn so far, and the level of the latest. */
  frames?: number;
  tau?: number;
  /** Whether the bundle is drawn as an image grid. */
  image?: boolean;
  /** Where the bundle came from: the URL field or a picked folder. */
  source?: 'url' | 'folder';
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
  frameEvery: number;
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
    frameEvery: int('frameEvery'),
  };
  if (!(settings.n >= 2)) throw new Error('samples: give an integer of at least 2');
  if (!(settings.steps >= 1)) throw new Error('steps: give a positive integer');
  if (!(settings.frameEvery >= 1)) throw new Error('frame every: give a positive integer');
  if (settings.seed !== undefined && !Number.isInteger(settings.seed)) throw new Error('seed: give an integer or leave it empty');
  return settings;
}

function prefillFromQuery(): boolean {
  const query = new URLSearchParams(location.search);
  for (const id of ['bundle', 'n', 'steps', 'seed', 'frameEvery']) {
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
  return lines.join('\n');
}

function targetOf(model: ScoreModel): Target | null {
  try {
    return createTargetFromConfig(model.config.target.name, model.config.target.options);
  } catch {
    return null;
  }
}

/** Where the bundle comes from: the URL field, or a folder picked with the file input. */
interface PickedBundle {
  label: string;
  reader: BundleReader;
  /** Tells two picks of folders with the same name apart in the model cache. */
  pick: number;
}

/** An image bundle's shape from its target record (height x width, one channel), or null for points. */
function imageShapeOf(model: ScoreModel): ImageShape | null {
  const { params, dim } = model.config.target;
  const height = params['height'];
  const width = params['width'];
  const channels = params['channels'] ?? 1;
  if (typeof height !== 'number' || typeof width !== 'number' || channels !== 1 || height * width !== dim) return null;
  // The recorded clip is the data range; MNIST-format targets scale to [-1, 1] otherwise.
  const clip = model.config.sampler.clip;
  return { height, width, lo: clip?.lo ?? -1, hi: clip?.hi ?? 1 };
}

/** The run's own evaluations from config.json, each metric beside its floor. */
function describeEvaluations(model: ScoreModel): string {
  const lines: string[] = [];
  for (const e of model.config.evaluation) {
    const floor = (e['floor'] ?? {}) as Record<string, unknown>;
    const parts: string[] = [];
    if (typeof e['mmd'] === 'number') parts.push(`MMD^2 ${e['mmd'].toExponential(3)} (floor ${typeof floor['mmd'] === 'number' ? floor['mmd'].toExponential(3) : 'not recorded'})`);
    if (typeof e['fid'] === 'number') parts.push(`FID ${e['fid'].toFixed(2)} (floor ${typeof e['fid_floor'] === 'number' ? e['fid_floor'].toFixed(2) : 'not recorded'})`);
    if (parts.length > 0) lines.push(`run's evaluation ${e.label} (its metrics.json, ${typeof e['n'] === 'number' ? `n = ${e['n']}` : 'n not recorded'}): ${parts.join(', ')}`);
  }
  return lines.join('\n');
}

/** The figure: plotting area (the canvas) at left/top of the SVG overlay that holds the axes and legend. */
const LAYOUT: FigureLayout = { left: 64, top: 12, size: 480, width: 680, height: 540 };

/** One load + sample + plot, reported through window.scoreSde. */
async function run(cache: Map<string, ScoreModel>, runNumber: number, picked: PickedBundle | null): Promise<void> {
  window.scoreSde = { state: 'loading', run: runNumber };
  const settings = readSettings();
  const progress = $<HTMLProgressElement>('progress');
  progress.value = 0;
  $('mmd').textContent = '';
  $('floor').textContent = '';
  setStatus('starting TensorFlow.js...');
  const backend = await initPageBackend(settings.backend);
  const label = picked ? `the picked folder ${picked.label}` : settings.bundle;
  const key = picked ? `${backend.name} folder ${picked.pick}` : `${backend.name} ${settings.bundle}`;
  setStatus(`loading ${label}...`);
  let model = cache.get(key);
  if (!model) {
    model = await loadScoreModel(picked ? picked.reader : settings.bundle);
    cache.set(key, model);
  }
  $('description').textContent = [describeModel(model), describeEvaluations(model)].filter((t) => t !== '').join('\n');
  const d = model.dim;
  // The form's settings over the bundle's recorded ones (its solver when none is chosen, corrector, clip, and seed when left empty).
  const request = { solver: settings.solver, steps: settings.steps, seed: settings.seed };
  const resolved = samplerSettings(model, request);
  const { seed } = resolved;
  const solver = resolved.solver ?? 'euler-maruyama';
  const canvas = $<HTMLCanvasElement>('plot');
  const svg = document.getElementById('axes') as unknown as SVGSVGElement;
  const image = imageShapeOf(model);
  const target = image ? null : targetOf(model);
  const reference = target ? target.sample(settings.n, Rng.derive(seed, RNG_STREAMS.reference, 0)) : null;
  clearPlot(canvas);
  clearAxes(svg);
  let view = reference ? viewAround(reference, d) : null;
  const density = target !== null && view !== null && d === 2;
  if (density) drawDensity(canvas, target, view!);
  else if (reference && view) drawPoints(canvas, reference, d, view, REFERENCE_COLOUR, 0.5);
  if (view) drawAxes(svg, LAYOUT, view, { x: 'x0', y: 'x1' }, { density, reference: !density });
  // The background is kept, so each frame draws over it rather than recomputing the density.
  const background = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);

  // The particles as they move: rows filled in as the batches reach them.
  const current = new Float32Array(settings.n * d);
  let filled = 0;
  const sampling: PageState = { state: 'sampling', run: runNumber, backend: backend.name, frames: 0, image: image !== null };
  window.scoreSde = sampling;
  const columns = gridColumns(settings.n);
  const onFrame = (x: Float32Array, tau: number, firstRow: number) => {
    current.set(x, firstRow * d);
    filled = Math.max(filled, firstRow + x.length / d);
    if (image) {
      // Only frames of the rows the grid shows change it.
      if (firstRow >= columns * columns) return;
      drawImageGrid(canvas, current, filled, image, columns);
    } else {
      view ??= viewAround(Float64Array.from(x), d);
      canvas.getContext('2d')!.putImageData(background, 0, 0);
      drawPoints(canvas, current.subarray(0, filled * d), d, view, SAMPLE_COLOUR, 0.6);
    }
    sampling.frames = (sampling.frames ?? 0) + 1;
    sampling.tau = tau;
    $('frame').textContent = `tau = ${tau.toPrecision(3)}`;
  };

  const started = performance.now();
  const { samples: samples32, nfe } = await sampleWithCost(model, {
    n: settings.n,
    ...request,
    onFrame,
    frameEvery: settings.frameEvery,
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
  // The final picture: the denoised samples.
  if (image) {
    drawImageGrid(canvas, samples32, settings.n, image, columns);
  } else {
    if (!view) {
      view = viewAround(samples, d);
      drawAxes(svg, LAYOUT, view, { x: 'x0', y: 'x1' }, { density: false, reference: false });
    }
    canvas.getContext('2d')!.putImageData(background, 0, 0);
    drawPoints(canvas, samples, d, view, SAMPLE_COLOUR, 0.6);
  }
  $('frame').textContent = image ? `the first ${Math.min(settings.n, columns * columns)} samples, ${image.height} x ${image.width}, ${image.lo} black to ${image.hi} white` : '';
  // The floor as the CLI's evaluation computes it: MMD^2 between a second target sample (stream 1) and the reference (stream 0).
  const distance = reference ? mmd2(samples, reference, d) : null;
  const floor = reference ? mmd2(target!.sample(settings.n, Rng.derive(seed, RNG_STREAMS.reference, 1)), reference, d) : null;
  if (distance !== null && floor !== null) {
    $('mmd').textContent = `MMD^2 against ${settings.n} target samples: ${distance.toExponential(3)}`;
    $('floor').textContent = `floor ${floor.toExponential(3)} (MMD^2 between two independent target samples of ${settings.n}, computed here as npm run sample does); ${floor > 0 ? `ratio ${(distance / floor).toFixed(2)}` : 'no ratio: the unbiased estimate of the floor is below 0 at this n'}`;
  } else {
    $('mmd').textContent = `no MMD^2 here: the ${model.config.target.name} target is not available in the browser`;
  }
  setStatus(
    `${settings.n} samples, ${solver}${resolved.tolerance ? '' : `, ${settings.steps} steps`}, ${nfe} network evaluations each, seed ${seed}, ${backend.name} backend, ${samplingSeconds.toFixed(1)} s` +
      (distance !== null ? `; MMD^2 against ${settings.n} target samples: ${distance.toExponential(3)}` : ''),
  );
  window.scoreSde = {
    state: 'done',
    run: runNumber,
    backend: backend.name,
    source: picked ? 'folder' : 'url',
    n: settings.n,
    solver,
    steps: settings.steps,
    nfe,
    seed,
    samples: Array.from(samples32),
    mmd2: distance,
    floor,
    samplingSeconds,
    frames: sampling.frames ?? 0,
    image: image !== null,
  };
}

function start(): void {
  window.scoreSde = { state: 'idle', run: 0 };
  const solvers = $<HTMLSelectElement>('solver');
  for (const name of SOLVER_NAMES) solvers.add(new Option(name, name));
  const cache = new Map<string, ScoreModel>();
  const button = $<HTMLButtonElement>('sample');
  let runs = 0;
  let picks = 0;
  let picked: PickedBundle | null = null;
  const folder = $<HTMLInputElement>('folder');
  const urlField = $<HTMLInputElement>('bundle');
  // A picked folder replaces the URL until the URL is edited again.
  folder.addEventListener('change', () => {
    const files = Array.from(folder.files ?? []);
    if (files.length === 0) return;
    const name = files[0]!.webkitRelativePath.split('/')[0] || 'folder';
    picked = { label: name, reader: filesReader(files, name), pick: ++picks };
    urlField.value = '';
    urlField.placeholder = `the picked folder ${name}`;
    setStatus(`picked the folder ${name} (${files.length} files); press sample`);
  });
  urlField.addEventListener('input', () => {
    picked = null;
    urlField.placeholder = '';
  });
  const go = () => {
    button.disabled = true;
    const runNumber = ++runs;
    run(cache, runNumber, picked)
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
