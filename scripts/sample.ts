import { runCommand } from '../src/cli/run-command.js';
import { sampleCli } from '../src/cli/sample-cli.js';

await runCommand(() => sampleCli(process.argv.slice(2)));
