import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    reporters: ['default', 'json'],
    outputFile: { json: 'test/output/results.json' },
    // Container and registry tests start real processes: give them room, and run files in
    // parallel only as far as this 2-core machine allows.
    testTimeout: 60_000,
    hookTimeout: 600_000,
    globalSetup: ['test/support/global-setup.ts'],
    // @actions/workflow-parser imports its JSON schemas without an import attribute, which Node's
    // own loader refuses: let Vite transform it.
    server: { deps: { inline: ['@actions/workflow-parser'] } },
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2 } },
    // `vitest run` runs both; `--project fast` (npm run test:fast) only the tests that need no
    // container engine, registry or browser: those are named *.slow.test.ts.
    projects: [
      { extends: true, test: { name: 'fast', include: ['test/**/*.test.ts'], exclude: ['test/**/*.slow.test.ts'] } },
      { extends: true, test: { name: 'slow', include: ['test/**/*.slow.test.ts'] } },
    ],
  },
});
