// Bundles the CLI into dist/cli.js: the file the composite actions and `bin/trunkfarm.js` run, so
// that a repository using our actions needs no `npm install`. `--out DIR` writes elsewhere (the
// test that keeps dist/ current builds into a temp dir and compares bytes).
import { build } from 'esbuild';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { out: { type: 'string', default: 'dist' } } });

await build({
  entryPoints: { cli: 'src/cli/index.ts' },
  outdir: values.out,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  legalComments: 'none',
  logLevel: 'warning',
  // Some dependencies are CommonJS and call require(); give the ESM bundle one.
  banner: { js: "import { createRequire as __trunkfarmRequire } from 'node:module';\nconst require = __trunkfarmRequire(import.meta.url);" },
  // Deliberately not minified: dist/ is reviewed in pull requests and read in stack traces.
  minify: false,
});
