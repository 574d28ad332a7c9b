import yargs from 'yargs';
import { UsageError } from '../errors.js';
import { benchCli } from './bench-cli.js';
import { classifierCli } from './classifier-cli.js';
import { diagnoseCli } from './diagnose-cli.js';
import { experimentCli } from './experiment-cli.js';
import { exportCli } from './export-cli.js';
import { likelihoodCli } from './likelihood-cli.js';
import { packageVersion, useBinNames } from './program.js';
import { reportCli } from './report-cli.js';
import { sampleCli } from './sample-cli.js';
import { trainCli } from './train-cli.js';

/** The subcommands of the `score-sde` bin: each is the npm script of the same name. */
const SUBCOMMANDS: readonly { name: string; describe: string; run: (argv: string[]) => Promise<number> }[] = [
  { name: 'train', describe: 'train a score network, then sample and evaluate it', run: trainCli },
  { name: 'sample', describe: 'sample a trained run or an exported bundle and evaluate the samples', run: sampleCli },
  { name: 'export', describe: 'export a run as a bundle for Node, the browser, PyTorch and JAX', run: exportCli },
  { name: 'likelihood', describe: 'log-likelihood of points under a run or bundle: NLL, bits/dim', run: likelihoodCli },
  { name: 'report', describe: "write a run's report.html: config, training curves, snapshots, metrics beside floors", run: reportCli },
  { name: 'diagnose', describe: 'where denoising is hard: localisation against the SNR', run: diagnoseCli },
  { name: 'experiment', describe: 'train and evaluate a grid of cells (vp-vs-pbm)', run: experimentCli },
  { name: 'bench', describe: 'time training steps, sampling and metrics', run: benchCli },
  { name: 'classifier', describe: 'train the MNIST classifier behind the image metrics', run: classifierCli },
];

/**
 * `score-sde <command> [flags]`: the installed package's one bin. The first
 * word picks the command, whose own parser takes the rest (its --help, its
 * flags, its errors); alone, or with --help or --version, the bin answers itself.
 */
export async function scoreSdeCli(argv: string[]): Promise<number> {
  useBinNames();
  const [first, ...rest] = argv;
  const command = SUBCOMMANDS.find((c) => c.name === first);
  if (command) return command.run(rest);
  let parser = yargs(argv)
    .scriptName('score-sde')
    .usage('$0 <command> [flags]\n\nScore-based diffusion models trained by denoising score matching on TensorFlow.js.')
    .help()
    .alias('help', 'h')
    .version(packageVersion())
    .wrap(110)
    .epilogue('Each command has its own --help: score-sde train --help.')
    .fail((message) => {
      throw new UsageError((message ?? 'invalid arguments').replace(/\n/g, ' '));
    });
  for (const c of SUBCOMMANDS) parser = parser.command(c.name, c.describe);
  parser = parser.example('$0 train --target gmm --dim 10', 'train on a 10-D Gaussian mixture').example('$0 sample --run RUN', 'sample a trained run');
  const args = await parser.parseAsync();
  // --help and --version have printed and set no exit code.
  if (args['help'] === true || args['version'] === true) return 0;
  const accepted = SUBCOMMANDS.map((c) => c.name).join(', ');
  if (first === undefined) throw new UsageError(`missing the command: score-sde <command> [flags]; accepted: ${accepted}`);
  throw new UsageError(`unknown command '${first}'; accepted: ${accepted}; see score-sde --help`);
}
