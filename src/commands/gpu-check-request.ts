/** What `gpu-check` takes: where its report goes, how long it may take, which parts run. */
export interface GpuCheckCommandRequest {
  /** Output folder, new or empty (default: defaultGpuCheckDir()). */
  out?: string;
  /** Seconds for the whole check (default: GPU_CHECK_DEFAULTS.budgetSeconds). */
  budgetSeconds?: number;
  /** Parts to run, in the check's order (default: all). */
  parts?: string[];
  json: boolean;
}
