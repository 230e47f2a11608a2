import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    setupFiles: ["test/support/setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // 2-core machines: end-to-end files spawn real processes, keep the pool small.
    maxWorkers: 2,
  },
});
