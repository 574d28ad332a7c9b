import { experimentCli } from '../src/cli/experiment-cli.js';
import { runCommand } from '../src/cli/run-command.js';

await runCommand(() => experimentCli(process.argv.slice(2)));
