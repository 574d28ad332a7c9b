import { BundleError } from './errors.js';

/**
 * Where a bundle's files come from: a directory in Node, a URL in the browser,
 * or anything else that can hand over bytes by file name.
 */
export interface BundleReader {
  /** How to name a file in messages (a path or a URL). */
  locate(name: string): string;
  /** The file's bytes; a missing file is a BundleError. */
  read(name: string): Promise<Uint8Array>;
}

/** Reads a bundle over HTTP(S) with fetch; `base` is the bundle's folder URL. */
export function fetchReader(base: string | URL): BundleReader {
  const origin = typeof globalThis.location === 'object' ? globalThis.location.href : undefined;
  const text = String(base);
  const folder = new URL(text.endsWith('/') ? text : `${text}/`, origin);
  const locate = (name: string) => new URL(name, folder).href;
  return {
    locate,
    async read(name) {
      let response: Response;
      try {
        response = await fetch(locate(name));
      } catch (err) {
        throw new BundleError(`${locate(name)}: could not be fetched (${err instanceof Error ? err.message : String(err)})`);
      }
      if (!response.ok) throw new BundleError(`${locate(name)}: missing (HTTP ${response.status})`);
      return new Uint8Array(await response.arrayBuffer());
    },
  };
}
