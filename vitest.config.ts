import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Removes the temporary folders each test file made (test/temp-dirs.ts).
    setupFiles: ['test/setup/remove-temp-dirs.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Two cores: one worker keeps timings of the statistical tests predictable.
    fileParallelism: false,
  },
});
