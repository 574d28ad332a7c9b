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

/** What filesReader needs of a browser File (Node's File has the same). */
export interface PickedFile {
  name: string;
  /** The path below the picked folder's parent ("bundle/config.json") when a folder was picked. */
  webkitRelativePath?: string;
  arrayBuffer(): Promise<ArrayBuffer>;
}

/**
 * Reads a bundle from files the user picked (an <input type="file" webkitdirectory>),
 * so a page opens a local bundle with no server. Files are matched by name within
 * the picked folder; sub-folders are ignored. `folder` names the bundle in messages.
 */
export function filesReader(files: Iterable<PickedFile>, folder?: string): BundleReader {
  const byName = new Map<string, PickedFile>();
  let top = folder;
  for (const file of files) {
    const parts = (file.webkitRelativePath || file.name).split('/');
    // Only the folder's own files: "bundle/config.json", or a bare "config.json".
    if (parts.length > 2) continue;
    if (parts.length === 2) top ??= parts[0];
    byName.set(parts.at(-1)!, file);
  }
  const locate = (name: string) => (top ? `${top}/${name}` : name);
  return {
    locate,
    async read(name) {
      const file = byName.get(name);
      if (file === undefined) throw new BundleError(`${locate(name)}: missing from the picked folder (it holds ${[...byName.keys()].sort().join(', ') || 'no files'})`);
      return new Uint8Array(await file.arrayBuffer());
    },
  };
}
