import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { BundleError } from './errors.js';
import type { BundleReader } from './reader.js';

/** Reads a bundle from a directory on disk (Node only). */
export function directoryReader(dir: string): BundleReader {
  const locate = (name: string) => path.join(dir, name);
  return {
    locate,
    async read(name) {
      try {
        return new Uint8Array(await fs.readFile(locate(name)));
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') {
          const isBundle = await fs.stat(dir).then((s) => s.isDirectory(), () => false);
          throw new BundleError(isBundle ? `${locate(name)}: missing from the bundle` : `${dir}: no such bundle directory`);
        }
        throw new BundleError(`${locate(name)}: could not be read (${code ?? String(err)})`);
      }
    },
  };
}
