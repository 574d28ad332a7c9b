import { fileURLToPath } from 'node:url';

/**
 * A module the code starts in a worker thread or a child process, named by
 * its path relative to the calling module and without extension. In a
 * checkout the code runs as TypeScript through tsx, so the entry is the .ts
 * source and needs tsx's loader; in the installed package it runs as the
 * compiled .js, which plain Node starts.
 */
export function moduleEntry(relative: string, from: string): { url: URL; typescript: boolean } {
  const typescript = new URL(from).pathname.endsWith('.ts');
  return { url: new URL(`${relative}${typescript ? '.ts' : '.js'}`, from), typescript };
}

/**
 * tsx's loader as a file URL for `node --import`. The bare name `tsx` would be
 * resolved from the working directory, which fails wherever that is not the
 * project (a device pack run from another folder), so it is resolved here.
 */
export function tsxLoader(): string {
  return import.meta.resolve('tsx');
}

/** tsx's registration API (`register()`) as a URL, for worker threads, resolved here for the same reason. */
export function tsxApi(): string {
  return import.meta.resolve('tsx/esm/api');
}

/** `node` arguments that start `entry` in a child process: tsx's loader for TypeScript, then the file. */
export function entryArgs(entry: { url: URL; typescript: boolean }): string[] {
  return [...(entry.typescript ? ['--import', tsxLoader()] : []), fileURLToPath(entry.url)];
}
