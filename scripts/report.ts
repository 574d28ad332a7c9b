import { runCommand } from '../src/cli/run-command.js';
import { reportCli } from '../src/cli/report-cli.js';

await runCommand(() => reportCli(process.argv.slice(2)));
