import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    reporters: ['default', 'json'],
    outputFile: { json: 'test/output/results.json' },
    // Container and registry tests start real processes: give them room, and run files in
    // parallel only as far as this 2-core machine allows.
    testTimeout: 60_000,
    hookTimeout: 600_000,
    globalSetup: ['test/support/global-setup.ts'],
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2 } },
  },
});
