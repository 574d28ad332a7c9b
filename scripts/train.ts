import { runCommand } from '../src/cli/run-command.js';
import { trainCli } from '../src/cli/train-cli.js';

await runCommand(() => trainCli(process.argv.slice(2)));
