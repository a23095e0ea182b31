// Bundles the CLI into dist/: cli.js, the file the composite actions and `bin/trunkfarm.js` run, and
// chunks/, which it imports from, so that a repository using our actions needs no `npm install`.
// Each command's implementation (src/cli/run/) and what it needs are chunks loaded only when that
// command runs: starting the CLI reads commander and the command declarations, not the megabytes
// of sigstore, octokit and undici that some commands use. `--out DIR` writes elsewhere (the test
// that keeps dist/ current builds into a temp dir and compares bytes).
import { build } from 'esbuild';
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { out: { type: 'string', default: 'dist' } } });
const out = path.resolve(values.out);

const { outputFiles } = await build({
  entryPoints: { cli: 'src/cli/index.ts' },
  outdir: out,
  bundle: true,
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  write: false,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  legalComments: 'none',
  logLevel: 'warning',
  // Some dependencies are CommonJS and call require(); give each ESM output file one.
  banner: { js: "import { createRequire as __trunkfarmRequire } from 'node:module';\nconst require = __trunkfarmRequire(import.meta.url);" },
  // Deliberately not minified: dist/ is reviewed in pull requests and read in stack traces.
  minify: false,
});

// Chunk names carry a hash of their content. Each file is written beside its place and renamed
// into it, so no reader sees half a file; then the chunks of earlier builds are removed.
await mkdir(path.join(out, 'chunks'), { recursive: true });
const written = new Set();
for (const file of outputFiles) {
  const tmp = `${file.path}.${process.pid}.tmp`;
  await writeFile(tmp, file.contents);
  await rename(tmp, file.path);
  written.add(file.path);
}
for (const dir of [out, path.join(out, 'chunks')]) {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isFile() && entry.name.endsWith('.js') && !written.has(file)) await rm(file);
  }
}
