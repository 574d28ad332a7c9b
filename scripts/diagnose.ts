import { diagnoseCli } from '../src/cli/diagnose-cli.js';
import { runCommand } from '../src/cli/run-command.js';

await runCommand(() => diagnoseCli(process.argv.slice(2)));
