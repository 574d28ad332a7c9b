import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The files of `dir` whose names match `pattern` (its first group: the step), by step; none when
 * the folder is missing. Numbered checkpoints and training snapshots are both listed this way.
 */
export function filesByStep(dir: string, pattern: RegExp): { step: number; file: string }[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .flatMap((name) => {
      const m = pattern.exec(name);
      return m ? [{ step: Number(m[1]), file: path.join(dir, name) }] : [];
    })
    .sort((a, b) => a.step - b.step);
}
