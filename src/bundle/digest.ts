/**
 * SHA-256 of `bytes` as lowercase hex, through Web Crypto: the same call in
 * Node (20 and later) and in browsers, so the loader stays free of Node imports.
 * Browsers offer crypto.subtle only to secure contexts (HTTPS, localhost);
 * elsewhere this returns undefined and the caller cannot verify.
 */
export async function sha256Hex(bytes: Uint8Array): Promise<string | undefined> {
  const subtle = globalThis.crypto?.subtle;
  if (subtle === undefined) return undefined;
  // Readers hand over bytes of a plain ArrayBuffer (file or fetch), never a shared one.
  const digest = new Uint8Array(await subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}
