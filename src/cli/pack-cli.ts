import { packCommand } from '../commands/pack.js';
import type { PackCommandRequest } from '../commands/pack-request.js';
import { parseCommandLine, type CommandSpec } from './command-line.js';
import { withJsonStdout } from './json-stdout.js';
import { PACK_FLAGS, packFlagsSchema, type PackFlags } from './pack-options.js';

export const PACK_COMMAND: CommandSpec<typeof packFlagsSchema> = {
  name: 'pack-device',
  usage:
    '$0 [flags]\n\nPack a Node.js binary, the project and its production dependencies for Linux x86-64 into one .tar.xz that runs on a GPU machine without a package registry (./run.sh inside).',
  flags: PACK_FLAGS,
  schema: packFlagsSchema,
  examples: [
    ['$0', 'the default archive, Node.js of this machine'],
    ['$0 --out device.tar.xz', 'the archive written elsewhere'],
  ],
};

/** What `pack-device` takes, from its flags. */
export function packCommandRequest(f: PackFlags): PackCommandRequest {
  return { out: f.out, node: f.node, vulkanLoader: f.vulkanLoader, maxMib: f.maxMib, json: f.json };
}

export async function packCli(argv: string[], projectRoot: string): Promise<number> {
  const flags = await parseCommandLine(PACK_COMMAND, argv);
  return withJsonStdout(flags.json, () => packCommand(packCommandRequest(flags), projectRoot));
}
