import { runCommand } from '../src/cli/run-command.js';
import { exportCli } from '../src/cli/export-cli.js';

await runCommand(() => exportCli(process.argv.slice(2)));
