import { experimentCommand } from '../commands/experiment.js';
import { UsageError } from '../errors.js';
import { STUDIES, type StudyName } from '../experiment/grid.js';
import { parseCommandLine, type CommandSpec } from './command-line.js';
import { withJsonStdout } from './json-stdout.js';
import { invocation } from './program.js';
import { EXPERIMENT_FLAGS, experimentFlagsSchema } from './experiment-options.js';

export const EXPERIMENT_COMMAND: CommandSpec<typeof experimentFlagsSchema> = {
  name: 'experiment',
  usage:
    `$0 <${STUDIES.join('|')}> [flags]\n\n` +
    'vp-vs-pbm: train and evaluate a grid of cells (target x dimension x process x MLP width x seed), ' +
    'each beside the exact-score sampler and with its score error; skips finished cells, so re-running resumes. ' +
    'Writes results.csv, summary.md and figures. ' +
    'budget: widths 16 to 512, each cell trained until its loss flattens; adds the parameter count, the score error per tau band, ' +
    'band swaps at d = 50, figures against parameter count and the smallest count that reaches the oracle (docs/budget.md).',
  flags: EXPERIMENT_FLAGS,
  schema: experimentFlagsSchema,
  examples: [
    ['$0 vp-vs-pbm --quick', 'a reduced grid and a short recipe'],
    ['$0 vp-vs-pbm --dims 2,10', 'two dimensions only'],
    ['$0 vp-vs-pbm --dry-run', 'the plan and its time estimate only'],
    ['$0 budget --dry-run', "the parameter-budget study's plan and time estimate (at its step cap)"],
  ],
};

const isStudy = (name: string): name is StudyName => (STUDIES as readonly string[]).includes(name);

/** The study comes first (`npm run experiment -- vp-vs-pbm --quick`), then the flags. */
export async function experimentCli(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first.startsWith('-')) {
    // --help needs no study.
    if (['--help', '-h', '--version'].some((f) => argv.includes(f))) await parseCommandLine(EXPERIMENT_COMMAND, argv);
    throw new UsageError(`missing the experiment to run: ${invocation('experiment')} <name> [flags]; accepted: ${STUDIES.join(', ')}`);
  }
  if (!isStudy(first)) throw new UsageError(`unknown experiment '${first}'; accepted: ${STUDIES.join(', ')}`);
  const flags = await parseCommandLine(EXPERIMENT_COMMAND, rest);
  return withJsonStdout(flags.json, () => experimentCommand(first, flags));
}
