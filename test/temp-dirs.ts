import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** Folders made by tempDir in this test file; test/setup/remove-temp-dirs.ts removes them when the file ends. */
const created: string[] = [];

/** A fresh folder in the system temp directory, removed after the test file that made it. */
export function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `score-sde-${prefix}-`));
  created.push(dir);
  return dir;
}

/** Removes every folder tempDir made; retries because a killed child process may still be letting go of files. */
export function removeTempDirs(): void {
  for (const dir of created.splice(0)) fs.rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
}
