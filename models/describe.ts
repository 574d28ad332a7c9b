import type { BackboneConfig } from './backbone.js';

/** One line naming a backbone's architecture, for logs: "MLP 3 x 128 silu", "U-Net 32,64,64 ...". */
export function describeBackbone(c: BackboneConfig): string {
  switch (c.kind) {
    case 'mlp':
      return `MLP ${c.depth} x ${c.width} ${c.activation}`;
    case 'unet': {
      const [h, w, ch] = c.imageShape;
      const lowest = `${Math.ceil(h / 2 ** (c.channels.length - 1))} x ${Math.ceil(w / 2 ** (c.channels.length - 1))}`;
      const blocks = `${c.blocksPerLevel} res-block${c.blocksPerLevel === 1 ? '' : 's'} per level`;
      return `U-Net on ${h} x ${w} x ${ch}, channels ${c.channels.join(',')}, ${blocks}, ${c.attention ? `attention at ${lowest}` : 'no attention'}`;
    }
  }
}
