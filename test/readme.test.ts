import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SAMPLE_FLAGS } from '../src/cli/sample-options.js';
import { TRAIN_FLAGS } from '../src/cli/train-options.js';
import { EXPORT_FLAGS } from '../src/cli/export-options.js';
import { CLASSIFIER_FLAGS } from '../src/cli/classifier-options.js';
import { PACK_FLAGS } from '../src/cli/pack-options.js';
import { GPU_CHECK_FLAGS } from '../src/cli/gpu-check-options.js';
import { EXPERIMENT_FLAGS } from '../src/cli/experiment-options.js';
import { BENCH_FLAGS } from '../src/cli/bench-options.js';
import { LIKELIHOOD_FLAGS } from '../src/cli/likelihood-options.js';
import { REPORT_FLAGS } from '../src/cli/report-options.js';

const readme = fs.readFileSync(path.resolve(import.meta.dirname, '..', 'README.md'), 'utf8');
// The flag tables live in the command reference the README links to.
const cliDoc = fs.readFileSync(path.resolve(import.meta.dirname, '..', 'docs', 'cli.md'), 'utf8');
const section = (title: string) => {
  const start = cliDoc.indexOf(`## ${title}`);
  expect(start, `docs/cli.md has no section "${title}"`).toBeGreaterThanOrEqual(0);
  const end = cliDoc.indexOf('\n## ', start + 1);
  return cliDoc.slice(start, end === -1 ? undefined : end);
};
const flagsIn = (text: string) => new Set([...text.matchAll(/`--([a-z][a-z-]*)`/g)].map((m) => m[1]!));

describe('README and docs/cli.md stay true', () => {
  it('starts with the install-and-run command and the test command', () => {
    const firstBlock = /```sh\n([\s\S]*?)```/.exec(readme)![1]!;
    expect(firstBlock).toMatch(/^npm ci && npm run train\b/m);
    expect(firstBlock).toMatch(/^npm test\b/m);
  });

  // The experiment's cluster flags are in a section of their own, after the study's.
  const studyAndCluster = 'The VP-vs-PBM study: `npm run experiment`';
  const sections = (title: string) => (title === studyAndCluster ? section(title) + section('Running the sweep on a cluster') : section(title));

  it.each([
    ['Training: `npm run train`', TRAIN_FLAGS],
    ['Sampling: `npm run sample`', SAMPLE_FLAGS],
    ['Likelihood: `npm run likelihood`', LIKELIHOOD_FLAGS],
    ['Export: `npm run export`', EXPORT_FLAGS],
    ['Classifier and image metrics: `npm run classifier`', CLASSIFIER_FLAGS],
    ['Running on a GPU machine: `npm run pack-device`', PACK_FLAGS],
    ['Checking a GPU machine: `npm run gpu-check`', GPU_CHECK_FLAGS],
    ['Performance: `npm run bench`', BENCH_FLAGS],
    ['Report: `npm run report`', REPORT_FLAGS],
    ['The VP-vs-PBM study: `npm run experiment`', Object.fromEntries(Object.entries(EXPERIMENT_FLAGS).filter(([, o]) => !o.hidden))],
  ] as const)('lists every flag of %s, and only real ones', (title, flags) => {
    const documented = flagsIn(sections(title));
    expect([...documented].sort()).toEqual(Object.keys(flags).sort());
  });
});
