import { benchCli } from '../src/cli/bench-cli.js';
import { runCommand } from '../src/cli/run-command.js';

await runCommand(() => benchCli(process.argv.slice(2)));
