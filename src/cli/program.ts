import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * How the user started a command: through the npm scripts of a checkout
 * (`npm run train -- ...`) or through the installed package's bin
 * (`score-sde train ...`). Help texts and error hints quote the same form.
 * The bin entry switches it once, before it runs a command.
 */
let viaBin = false;

export function useBinNames(): void {
  viaBin = true;
}

/** "npm run train --" or "score-sde train": what to type before a command's flags. */
export function invocation(command: string): string {
  return viaBin ? `score-sde ${command}` : `npm run ${command} --`;
}

/** The hint that ends a usage error: "see npm run train -- --help". */
export function helpHint(command: string): string {
  return `see ${invocation(command)} --help`;
}

let version: string | undefined;

/** The package's version, from the package.json above this module (in the checkout and in the installed package alike). */
export function packageVersion(): string {
  if (version !== undefined) return version;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const file = path.join(dir, 'package.json');
    if (fs.existsSync(file)) {
      const pkg = JSON.parse(fs.readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'score-sde') return (version = pkg.version ?? 'unknown');
    }
    const up = path.dirname(dir);
    if (up === dir) return (version = 'unknown');
    dir = up;
  }
}
