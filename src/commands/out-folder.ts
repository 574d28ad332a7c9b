import { UsageError } from '../errors.js';
import { describeOccupants, occupantsOf } from '../io/staged-dir.js';

/** An earlier result of the same command, named in a refusal: "samples (metrics.json, samples.npy)". */
export interface EarlierResult {
  /** "samples", "a likelihood". */
  what: string;
  /** Whether the command already wrote into the folder. */
  isIn(dir: string): boolean;
  /**
   * The flag that gives a different default folder (the folder's name holds every setting, so an
   * earlier result there came from the same ones): named when that folder is taken.
   */
  varyBy?: string;
}

/**
 * Nothing already on disk is overwritten or mixed with new files: an output
 * folder that holds anything (an earlier result, the user's own files) or is a
 * file is refused before the work starts. A missing or empty folder is fine.
 * `fromFlag`: the folder came from --out (else it is the command's default).
 */
export function refuseOccupiedOut(outDir: string, fromFlag: boolean, earlier: EarlierResult): void {
  const occupants = occupantsOf(outDir);
  if (occupants === null) return;
  const where = fromFlag ? `--out ${outDir}` : `the default output folder ${outDir}`;
  if (occupants.kind === 'file') throw new UsageError(`${where}: exists as a file; give a new folder with --out`);
  const names = describeOccupants(occupants.names);
  const same = earlier.isIn(outDir);
  const what = same ? `${earlier.what} (${names})` : names;
  if (same && !fromFlag && earlier.varyBy !== undefined) {
    throw new UsageError(`${where}: already holds ${what} from these settings; for new ones give another ${earlier.varyBy}, or --out (a new or empty folder)`);
  }
  throw new UsageError(`${where}: already holds ${what}; choose another --out (a new or empty folder), or move those files away`);
}
