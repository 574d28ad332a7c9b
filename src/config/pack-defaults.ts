/** Defaults of `npm run pack-device`: where the archive goes and the size it may reach. */
export const PACK_DEFAULTS = { out: 'checkpoints/score-sde-device-linux-x64.tar.xz', maxMib: 64 } as const;
