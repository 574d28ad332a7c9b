/** Prints the machine-readable summary: one JSON object, the last line of stdout. */
export function printJsonSummary(summary: unknown): void {
  process.stdout.write(JSON.stringify(summary) + '\n');
}
