import { benchCommand } from '../commands/bench.js';
import { parseCommandLine, type CommandSpec } from './command-line.js';
import { withJsonStdout } from './json-stdout.js';
import { BENCH_FLAGS, benchFlagsSchema } from './bench-options.js';

export const BENCH_COMMAND: CommandSpec<typeof benchFlagsSchema> = {
  name: 'bench',
  usage:
    '$0 [flags]\n\nTime training steps, sampling and metrics (medians after warm-up), with the straightforward tf.layers build of each network side by side.',
  flags: BENCH_FLAGS,
  schema: benchFlagsSchema,
  examples: [
    ['$0', 'every case'],
    ['$0 --cases mlp50 --no-baseline --backend wasm', 'one case, without the tf.layers baseline'],
  ],
};

export async function benchCli(argv: string[]): Promise<number> {
  const flags = await parseCommandLine(BENCH_COMMAND, argv);
  return withJsonStdout(flags.json, () => benchCommand(flags));
}
