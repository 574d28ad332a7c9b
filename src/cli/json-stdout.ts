/**
 * With --json, stdout carries the JSON summary only: while the command runs,
 * the human text it prints with console.log / console.info goes to stderr
 * (the summary itself is written to process.stdout directly).
 */
export async function withJsonStdout<T>(json: boolean, run: () => Promise<T>): Promise<T> {
  if (!json) return run();
  const { log, info } = console;
  const toStderr = (...args: unknown[]) => console.error(...args);
  console.log = toStderr;
  console.info = toStderr;
  try {
    return await run();
  } finally {
    console.log = log;
    console.info = info;
  }
}
