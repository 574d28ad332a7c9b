import { runCommand } from '../src/cli/run-command.js';
import { gpuCheckCli } from '../src/cli/gpu-check-cli.js';

await runCommand(() => gpuCheckCli(process.argv.slice(2)));
