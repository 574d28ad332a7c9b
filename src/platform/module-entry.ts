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
