/**
 * Lets pending events run (Ctrl-C handlers, progress redraws, a page's UI)
 * between long stretches of synchronous tensor work. setImmediate where it
 * exists (Node), a zero timeout in browsers.
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => {
    if (typeof globalThis.setImmediate === 'function') globalThis.setImmediate(resolve);
    else setTimeout(resolve, 0);
  });
}
