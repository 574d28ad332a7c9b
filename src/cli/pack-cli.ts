import { packCommand } from '../commands/pack.js';
import type { PackCommandRequest } from '../commands/pack-request.js';
import { parseCommandLine, type CommandSpec } from './command-line.js';
import { PACK_FLAGS, packFlagsSchema, type PackFlags } from './pack-options.js';

export const PACK_COMMAND: CommandSpec<typeof packFlagsSchema> = {
  name: 'pack-device',
  usage:
    '$0 [flags]\n\nPack a Node.js binary, the project and its production dependencies for Linux x86-64 into one .tar.xz that runs on a GPU machine without a package registry (./run.sh inside).',
  flags: PACK_FLAGS,
  schema: packFlagsSchema,
};

/** What `pack-device` takes, from its flags. */
export function packCommandRequest(f: PackFlags): PackCommandRequest {
  return { out: f.out, node: f.node, vulkanLoader: f.vulkanLoader, maxMib: f.maxMib, json: f.json };
}

export async function packCli(argv: string[], projectRoot: string): Promise<number> {
  return packCommand(packCommandRequest(await parseCommandLine(PACK_COMMAND, argv)), projectRoot);
}
