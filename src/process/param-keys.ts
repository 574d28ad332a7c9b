/** The recorded name of a process option: tauMax -> tau_max (config.json and bundles). */
export const paramKey = (optionKey: string): string => optionKey.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** The command-line flag of a process option: tauMax -> --tau-max. */
export const optionFlag = (optionKey: string): string => `--${optionKey.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
