import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { writeFileAtomicSync } from '../io/atomic.js';
import { canonicalJson } from './grid.js';

/**
 * The exact-score sampler's results depend on the target, the process, the sampler and its
 * seed, not on the network: cells that differ only in width share one oracle run. The first
 * cell to finish it publishes a copy under <out>/oracle/<id>; the others copy it into their own
 * directory. Publishing is a rename of a complete folder, so a crash never leaves half an entry,
 * and two jobs racing to publish the same entry both end with a valid one.
 */
export const ORACLE_MARKER = 'oracle.json';

const entrySchema = z.object({ key: z.unknown(), summary: z.unknown() });

/** The cached summary for this key, or null (absent, or written for other settings). */
export function lookupOracle<T>(cacheDir: string, key: unknown): T | null {
  const file = path.join(cacheDir, ORACLE_MARKER);
  if (!fs.existsSync(file)) return null;
  try {
    const entry = entrySchema.parse(JSON.parse(fs.readFileSync(file, 'utf8')));
    return canonicalJson(entry.key) === canonicalJson(key) ? (entry.summary as T) : null;
  } catch {
    return null;
  }
}

/** Copies a cached entry's files (all but its marker) into a new folder. */
export function copyOracle(cacheDir: string, outDir: string): void {
  fs.mkdirSync(outDir, { recursive: true });
  for (const name of fs.readdirSync(cacheDir)) {
    if (name !== ORACLE_MARKER) fs.cpSync(path.join(cacheDir, name), path.join(outDir, name), { recursive: true });
  }
}

/** Publishes a finished oracle folder; an entry already there (another job's) is kept. */
export function publishOracle(sourceDir: string, cacheDir: string, key: unknown, summary: unknown): void {
  fs.mkdirSync(path.dirname(cacheDir), { recursive: true });
  const tmp = `${cacheDir}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    fs.cpSync(sourceDir, tmp, { recursive: true });
    writeFileAtomicSync(path.join(tmp, ORACLE_MARKER), JSON.stringify({ key, summary }, null, 2) + '\n');
    fs.renameSync(tmp, cacheDir);
  } catch (err) {
    const code = (err as { code?: string }).code;
    // Another job published first (a non-empty folder cannot be renamed over): keep theirs.
    if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw err;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
