import { gpuCheckCommand } from '../commands/gpu-check.js';
import type { GpuCheckCommandRequest } from '../commands/gpu-check-request.js';
import { parseCommandLine, type CommandSpec } from './command-line.js';
import { GPU_CHECK_FLAGS, gpuCheckFlagsSchema, type GpuCheckFlags } from './gpu-check-options.js';
import { withJsonStdout } from './json-stdout.js';

export const GPU_CHECK_COMMAND: CommandSpec<typeof gpuCheckFlagsSchema> = {
  name: 'gpu-check',
  usage:
    '$0 [flags]\n\nCheck a GPU machine in one go: its GPU stack, which backends load, backend parity, bench on webgpu and wasm, the default run and the MNIST U-Net on webgpu; every result in one gpu-check.json. A part that fails or runs out of time does not stop the others.',
  flags: GPU_CHECK_FLAGS,
  schema: gpuCheckFlagsSchema,
  examples: [
    ['$0', 'every part, eight minutes in all'],
    ['$0 --parts stack,doctor --budget-s 60', 'the stack and which backends load'],
  ],
};

/** What `gpu-check` takes, from its flags. */
export function gpuCheckCommandRequest(f: GpuCheckFlags): GpuCheckCommandRequest {
  return { out: f.out, budgetSeconds: f.budgetS, parts: f.parts, json: f.json };
}

export async function gpuCheckCli(argv: string[]): Promise<number> {
  const flags = await parseCommandLine(GPU_CHECK_COMMAND, argv);
  return withJsonStdout(flags.json, () => gpuCheckCommand(gpuCheckCommandRequest(flags)));
}
