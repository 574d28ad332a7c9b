import * as fs from 'node:fs';
import * as path from 'node:path';
import { runConfigSchema, RUN_FORMAT_VERSION, type RunConfig } from '../config/run-config.js';
import { UsageError } from '../errors.js';
import { removeLeftoverTempFiles, writeFileAtomicSync } from '../io/atomic.js';
import { acquireLock, insideLockPath, LOCK_FILE, type DirLock } from '../io/dir-lock.js';
import { checkOutPlace, makeDir } from '../io/out-place.js';
import { folderTimeStamp } from '../io/time-stamp.js';

export const RUN_FILES = {
  config: 'config.json',
  log: 'log.jsonl',
  checkpoint: 'checkpoint.bin',
  samples: 'samples',
} as const;

export function defaultRunDir(targetName: string, processName: string, now = new Date()): string {
  return path.join('checkpoints', `${targetName}-${processName}-${folderTimeStamp(now)}`);
}

/**
 * Refuses, before anything is written, an --out that cannot become a new run directory: one
 * holding anything but a lock file, a file, a place that cannot be written (see checkOutPlace).
 */
export function checkNewRunDir(dir: string): void {
  if (fs.existsSync(dir)) {
    const isDir = fs.statSync(dir).isDirectory();
    if (!isDir || fs.readdirSync(dir).some((name) => name !== LOCK_FILE)) {
      throw new UsageError(
        `--out ${dir}: already exists${isDir ? ' and is not empty' : ' as a file'}; choose a new directory, or continue that run with --resume ${dir}`,
      );
    }
  }
  checkOutPlace(dir, '--out');
}

/** Creates a new run directory and locks it for `command`; refuses to reuse one that already has content. */
export function createRunDir(dir: string, command = 'npm run train'): DirLock {
  checkNewRunDir(dir);
  makeDir(dir, '--out');
  const lock = lockRunDir(dir, command);
  try {
    // Another process may have started a run here between the check and the lock.
    checkNewRunDir(dir);
  } catch (err) {
    lock.release();
    throw err;
  }
  return lock;
}

/** Locks an existing run directory for `command` (train --resume, sample into its samples folder); a second process is refused. */
export function lockRunDir(dir: string, command: string): DirLock {
  const lock = acquireLock(insideLockPath(dir), dir, command);
  removeLeftoverTempFiles(dir);
  return lock;
}

export function writeRunConfig(dir: string, config: RunConfig): void {
  writeFileAtomicSync(path.join(dir, RUN_FILES.config), JSON.stringify(config, null, 2) + '\n');
}

/** Reads and validates a run's config.json; every failure names the flag and file. */
export function readRunConfig(dir: string, flagName: string): RunConfig {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    throw new UsageError(`${flagName} ${dir}: no such run directory`);
  }
  const file = path.join(dir, RUN_FILES.config);
  if (!fs.existsSync(file)) {
    throw new UsageError(`${flagName} ${dir}: not a run directory (${RUN_FILES.config} is missing)`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new UsageError(`${file}: not valid JSON (${(err as Error).message.split('\n')[0]})`);
  }
  const version = (raw as { formatVersion?: unknown } | null)?.formatVersion;
  if (typeof version === 'number' && version > RUN_FORMAT_VERSION) {
    throw new UsageError(`${file}: run format version ${version} is newer than this build reads (${RUN_FORMAT_VERSION})`);
  }
  const parsed = runConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UsageError(`${file}: field ${issue.path.join('.') || '(root)'} is invalid: ${issue.message}`);
  }
  return parsed.data;
}

export function hasCheckpoint(dir: string): boolean {
  return fs.existsSync(path.join(dir, RUN_FILES.checkpoint));
}
