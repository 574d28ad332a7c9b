import { reportCommand } from '../commands/report.js';
import { parseCommandLine, type CommandSpec } from './command-line.js';
import { withJsonStdout } from './json-stdout.js';
import { REPORT_FLAGS, reportFlagsSchema } from './report-options.js';

export const REPORT_COMMAND: CommandSpec<typeof reportFlagsSchema> = {
  name: 'report',
  usage:
    '$0 --run DIR [flags]\n\nWrite DIR/report.html: one self-contained page (no network) with the config, the loss, learning rate ' +
    'and gradient norm against step, the snapshots drawn during training, every evaluation beside its floors, and links to the files.',
  flags: REPORT_FLAGS,
  schema: reportFlagsSchema,
  examples: [
    ['$0 --run RUN', 'the page of a run (train writes it too, and refreshes it at each checkpoint)'],
    ['$0 --run RUN --json', 'the same, with {"report": ...} on stdout'],
  ],
};

export async function reportCli(argv: string[]): Promise<number> {
  const flags = await parseCommandLine(REPORT_COMMAND, argv);
  return withJsonStdout(flags.json, () => reportCommand(flags));
}
