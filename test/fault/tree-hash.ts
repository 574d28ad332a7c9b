import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Every entry under dir (folders too, so an added empty folder counts) with the SHA-256 of its
 * bytes: equal snapshots mean the tree is unchanged byte for byte.
 */
export function treeSnapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    const file = path.join(entry.parentPath, entry.name);
    const rel = path.relative(dir, file);
    if (entry.isFile()) out.set(rel, createHash('sha256').update(fs.readFileSync(file)).digest('hex'));
    else out.set(rel, entry.isDirectory() ? 'dir' : 'other');
  }
  return out;
}

/** The entries added, removed or changed between two snapshots ("+a", "-b", "~c"); empty when none. */
export function treeChanges(before: Map<string, string>, after: Map<string, string>): string[] {
  const changes: string[] = [];
  for (const [rel, hash] of before) {
    if (!after.has(rel)) changes.push(`-${rel}`);
    else if (after.get(rel) !== hash) changes.push(`~${rel}`);
  }
  for (const rel of after.keys()) if (!before.has(rel)) changes.push(`+${rel}`);
  return changes.sort();
}
