/** Prints the machine-readable summary: one JSON object, alone on stdout under --json (human text goes to stderr, see src/cli/json-stdout.ts). */
export function printJsonSummary(summary: unknown): void {
  process.stdout.write(JSON.stringify(summary) + '\n');
}
