import { experimentCommand } from '../commands/experiment.js';
import { UsageError } from '../errors.js';
import { STUDIES, type StudyName } from '../experiment/grid.js';
import { parseCommandLine, type CommandSpec } from './command-line.js';
import { EXPERIMENT_FLAGS, experimentFlagsSchema } from './experiment-options.js';

export const EXPERIMENT_COMMAND: CommandSpec<typeof experimentFlagsSchema> = {
  name: 'experiment',
  usage:
    `$0 <${STUDIES.join('|')}> [flags]\n\n` +
    'vp-vs-pbm: train and evaluate a grid of cells (target x dimension x process x MLP width x seed), ' +
    'each beside the exact-score sampler and with its score error; skips finished cells, so re-running resumes. ' +
    'Writes results.csv, summary.md and figures.',
  flags: EXPERIMENT_FLAGS,
  schema: experimentFlagsSchema,
};

const isStudy = (name: string): name is StudyName => (STUDIES as readonly string[]).includes(name);

/** The study comes first (`npm run experiment -- vp-vs-pbm --quick`), then the flags. */
export async function experimentCli(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first.startsWith('-')) {
    // --help needs no study.
    if (argv.includes('--help')) await parseCommandLine(EXPERIMENT_COMMAND, argv);
    throw new UsageError(`missing the experiment to run: npm run experiment -- <name> [flags]; accepted: ${STUDIES.join(', ')}`);
  }
  if (!isStudy(first)) throw new UsageError(`unknown experiment '${first}'; accepted: ${STUDIES.join(', ')}`);
  return experimentCommand(first, await parseCommandLine(EXPERIMENT_COMMAND, rest));
}
