import { exportCommand } from '../commands/export.js';
import { parseCommandLine, type CommandSpec } from './command-line.js';
import { withJsonStdout } from './json-stdout.js';
import { EXPORT_FLAGS, exportCommandRequest, exportFlagsSchema } from './export-options.js';

export const EXPORT_COMMAND: CommandSpec<typeof exportFlagsSchema> = {
  name: 'export',
  usage:
    '$0 --run DIR --out BUNDLE [flags]\n\nExport a trained run as a self-describing bundle (config.json + weights) ' +
    'that Node, the browser (web/) and PyTorch/JAX can load.',
  flags: EXPORT_FLAGS,
  schema: exportFlagsSchema,
  examples: [
    ['$0 --run RUN --out my-bundle', 'a TensorFlow.js bundle of the EMA weights'],
    ['$0 --run RUN --out my-bundle --format safetensors', 'model.safetensors for PyTorch and JAX'],
  ],
};

export async function exportCli(argv: string[]): Promise<number> {
  const flags = await parseCommandLine(EXPORT_COMMAND, argv);
  return withJsonStdout(flags.json, () => exportCommand(exportCommandRequest(flags)));
}
