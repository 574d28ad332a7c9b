#!/usr/bin/env node
import { runCommand } from '../src/cli/run-command.js';
import { scoreSdeCli } from '../src/cli/score-sde-cli.js';

await runCommand(() => scoreSdeCli(process.argv.slice(2)));
