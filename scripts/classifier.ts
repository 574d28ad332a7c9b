import { classifierCli } from '../src/cli/classifier-cli.js';
import { runCommand } from '../src/cli/run-command.js';

await runCommand(() => classifierCli(process.argv.slice(2)));
