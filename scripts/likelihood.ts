import { runCommand } from '../src/cli/run-command.js';
import { likelihoodCli } from '../src/cli/likelihood-cli.js';

await runCommand(() => likelihoodCli(process.argv.slice(2)));
