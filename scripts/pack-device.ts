import * as path from 'node:path';
import { runCommand } from '../src/cli/run-command.js';
import { packCli } from '../src/cli/pack-cli.js';

await runCommand(() => packCli(process.argv.slice(2), path.resolve(import.meta.dirname, '..')));
