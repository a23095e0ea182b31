// Planning a synthetic matrix of 2,000 extensions x 5 majors x 2 arches x 2 libcs (40,000 jobs):
// load + validate, expand with build keys, shard; and --changed-since when one entry changed.
// Baseline in the same run: reading the same files' bytes, so the figure shows what planning adds
// on top of I/O.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadValidMatrix } from '../src/matrix/index.ts';
import { expandJobs, selectChangedSince, shard } from '../src/plan/index.ts';
import { bestOf, ms } from './_timing.ts';

const EXTENSIONS = 2000;

function entry(i: number, version = '1.0.0'): string {
  return `name: ext${i}
version: ${version}
abstract: Synthetic extension ${i}
license: PostgreSQL
homepage: https://example.org/ext${i}
source:
  url: https://example.org/ext${i}-${version}.tar.gz
  sha256: ${createHash('sha256').update(String(i)).digest('hex')}
contents:
  extensions: [ext${i}]
dependencies:
  postgres: { version: ">= 14" }
  pipeline: pgxs
  packages:
    build: { debian: [libfoo-dev], alpine: [foo-dev] }
test:
  sql: SELECT 1;
`;
}

export async function run(): Promise<void> {
  const root = await mkdtemp(path.join(tmpdir(), 'trunkfarm-bench-plan-'));
  const dir = path.join(root, 'matrix');
  await mkdir(path.join(dir, 'extensions'), { recursive: true });
  await writeFile(path.join(dir, 'platforms.yaml'), await readFile('matrix/platforms.yaml'));
  for (let i = 0; i < EXTENSIONS; i++) await writeFile(path.join(dir, 'extensions', `ext${i}.yaml`), entry(i));

  const readOnly = await bestOf(3, async () => {
    for (const f of await readdir(path.join(dir, 'extensions'))) await readFile(path.join(dir, 'extensions', f), 'utf8');
  });
  let jobs = 0;
  let shards = 0;
  const full = await bestOf(3, async () => {
    const plan = expandJobs(await loadValidMatrix(dir));
    jobs = plan.length;
    shards = shard(plan).length;
  });
  console.log(`full plan: ${jobs} jobs in ${shards} shards, ${ms(full)} (${Math.round(jobs / (full / 1000))} jobs/s); reading the files alone: ${ms(readOnly)} (${(full / readOnly).toFixed(1)}x)`);

  const git = (...args: string[]) => execFileSync('git', args, { cwd: root, stdio: 'ignore', env: { ...process.env, GIT_AUTHOR_NAME: 'b', GIT_AUTHOR_EMAIL: 'b@b', GIT_COMMITTER_NAME: 'b', GIT_COMMITTER_EMAIL: 'b@b' } });
  git('init', '-q', '-b', 'main');
  git('add', '.');
  git('commit', '-qm', 'base');
  await writeFile(path.join(dir, 'extensions', 'ext42.yaml'), entry(42, '1.0.1'));
  let picked = 0;
  const changed = await bestOf(3, async () => {
    const matrix = await loadValidMatrix(dir);
    picked = (await selectChangedSince(matrix, expandJobs(matrix), 'main')).length;
  });
  console.log(`--changed-since with one entry changed: ${picked} jobs selected in ${ms(changed)} (${(changed / full).toFixed(2)}x the full plan)`);
  await rm(root, { recursive: true, force: true });
}
