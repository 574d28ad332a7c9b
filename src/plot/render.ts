import { Resvg } from '@resvg/resvg-js';
import { View, parse, Warn, type LoggerInterface } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/**
 * Vega and Vega-Lite log through console.log/console.warn; a CLI that pipes
 * data on stdout must not get chart warnings mixed in, so they go to stderr.
 */
function stderrLogger(): LoggerInterface {
  let level = Warn;
  const write = (tag: string, args: unknown[]): void => {
    process.stderr.write(`[plot ${tag}] ${args.map(String).join(' ')}\n`);
  };
  const logger: LoggerInterface = {
    level(l?: number) {
      if (l === undefined) return level;
      level = l;
      return logger;
    },
    error(...args: unknown[]) {
      write('error', args);
      return logger;
    },
    warn(...args: unknown[]) {
      if (level >= Warn) write('warn', args);
      return logger;
    },
    // Info and debug chatter is never wanted here.
    info() {
      return logger;
    },
    debug() {
      return logger;
    },
  };
  return logger;
}

/** Compiles a Vega-Lite spec and renders it headlessly (no canvas, no DOM) to SVG text. */
export async function vegaLiteToSvg(spec: TopLevelSpec): Promise<string> {
  const logger = stderrLogger();
  const { spec: vgSpec } = compile(spec, { logger });
  const view = new View(parse(vgSpec), { renderer: 'none', logger });
  try {
    return await view.toSVG();
  } finally {
    view.finalize(); // drops timers and listeners so the process can exit
  }
}

/** Rasterises SVG text to PNG bytes. */
export function svgToPng(svg: string): Uint8Array {
  const png = new Resvg(svg, { font: { loadSystemFonts: true } }).render().asPng();
  // A plain Uint8Array view of the Buffer, so callers need not know about Buffer.
  return new Uint8Array(png.buffer, png.byteOffset, png.byteLength);
}
