import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * What goes into the device pack: the production packages of the lockfile
 * for one platform, and which of their files are needed at run time.
 * Pure functions of the lockfile and file names, so they can be tested
 * without building anything.
 */

export interface TargetPlatform {
  os: string;
  cpu: string;
  libc: 'glibc' | 'musl';
}

export const LINUX_X64: TargetPlatform = { os: 'linux', cpu: 'x64', libc: 'glibc' };

interface LockEntry {
  version?: string;
  dev?: boolean;
  devOptional?: boolean;
  optional?: boolean;
  os?: string[];
  cpu?: string[];
  libc?: string[];
}

export interface LockFile {
  lockfileVersion: number;
  packages: Record<string, LockEntry>;
}

export interface PackagePlan {
  /** Directory relative to the project root, e.g. node_modules/@tensorflow/tfjs-core. */
  dir: string;
  name: string;
  version: string;
  optional: boolean;
}

export interface PackageSelection {
  packages: PackagePlan[];
  /** Left out, with the reason (dev only, another platform, types only). */
  excluded: { dir: string; reason: string }[];
}

/** Packages that are only type declarations: never loaded at run time. */
const TYPES_ONLY = /^@types\/|^@webgpu\/types$/;

/** The package name of a lockfile key: the part after its last node_modules/. */
export function packageName(dir: string): string {
  return dir.slice(dir.lastIndexOf('node_modules/') + 'node_modules/'.length);
}

/** npm's os/cpu/libc fields: a list of accepted values, or of excluded ones written !value. */
function accepts(list: string[] | undefined, value: string): boolean {
  if (list === undefined || list.length === 0) return true;
  if (list.some((v) => v === `!${value}`)) return false;
  const positives = list.filter((v) => !v.startsWith('!'));
  return positives.length === 0 || positives.includes(value);
}

/** The production packages of a lockfile (v2/v3) for `platform`. */
export function selectPackages(lock: LockFile, platform: TargetPlatform = LINUX_X64): PackageSelection {
  if (lock.lockfileVersion < 2) throw new Error(`package-lock.json: lockfileVersion ${lock.lockfileVersion} has no "packages" map; regenerate it with npm 7 or later`);
  const packages: PackagePlan[] = [];
  const excluded: PackageSelection['excluded'] = [];
  for (const [dir, entry] of Object.entries(lock.packages)) {
    if (dir === '' || !dir.includes('node_modules/')) continue;
    const name = packageName(dir);
    if (entry.dev === true) excluded.push({ dir, reason: 'development only' });
    else if (!accepts(entry.os, platform.os) || !accepts(entry.cpu, platform.cpu) || !accepts(entry.libc, platform.libc)) {
      excluded.push({ dir, reason: `for ${[entry.os, entry.cpu, entry.libc].filter(Boolean).join(' ')}` });
    } else if (TYPES_ONLY.test(name)) excluded.push({ dir, reason: 'type declarations only' });
    else packages.push({ dir, name, version: entry.version ?? '', optional: entry.optional === true || entry.devOptional === true });
  }
  return { packages, excluded };
}

/** Files kept whatever else is dropped. */
const LICENSE = /^(licen[cs]e|copying|notice|authors)(\.|-|$)/i;
/** Dropped anywhere: source maps, type declarations, docs, TypeScript build info. */
const DROPPED_FILE = /(\.map|\.d\.[cm]?ts|\.tsbuildinfo|\.md|\.markdown)$/i;
/** Directories that hold no run-time code. */
const DROPPED_DIR = new Set(['test', 'tests', '__tests__', 'spec', 'example', 'examples', 'docs', 'doc', '.github', 'benchmark', 'benchmarks', 'coverage']);

/**
 * TensorFlow.js packages: under Node each loads one self-contained bundle
 * (package.json's main); the other builds in dist/ (ESM, UMD, minified,
 * mini-program) are for browsers and bundlers.
 */
function tfjsKeeps(main: string, rel: string): boolean {
  if (rel === 'package.json' || path.posix.normalize(rel) === path.posix.normalize(main)) return true;
  // The wasm backend's binaries (its bundle loads them from its own directory) and Emscripten glue (wasm-threads.ts).
  return rel.endsWith('.wasm') || rel.startsWith('wasm-out/');
}

export interface PackageJson {
  name?: string;
  main?: string;
}

/**
 * Whether file `rel` (relative to its package directory, '/'-separated) of
 * package `name` is needed at run time on `platform`.
 */
export function keepFile(name: string, pkg: PackageJson, rel: string, platform: TargetPlatform = LINUX_X64): boolean {
  const base = rel.slice(rel.lastIndexOf('/') + 1);
  if (LICENSE.test(base)) return true;
  if (name.startsWith('@tensorflow/')) return tfjsKeeps(pkg.main ?? 'index.js', rel);
  if (name === 'webgpu') {
    // Dawn's prebuilt binding for each platform sits in dist/<platform>-<arch>/; build/ holds its build and install scripts.
    if (rel.startsWith('dist/')) return rel.startsWith(`dist/${platform.os}-${platform.cpu}/`);
    if (rel.startsWith('build/')) return false;
  }
  if (DROPPED_FILE.test(base)) return false;
  const dirs = rel.split('/').slice(0, -1);
  return !dirs.some((d) => DROPPED_DIR.has(d.toLowerCase()));
}

/** Every file under `dir`, relative and '/'-separated (symbolic links to files are followed, to directories skipped). */
export function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const entry of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const child = rel === '' ? entry.name : `${rel}/${entry.name}`;
      if (entry.isDirectory()) {
        // Nested packages are planned on their own from the lockfile.
        if (entry.name !== 'node_modules') walk(child);
      } else if (entry.isFile() || (entry.isSymbolicLink() && fs.statSync(path.join(dir, child)).isFile())) {
        out.push(child);
      }
    }
  };
  walk('');
  return out.sort();
}
