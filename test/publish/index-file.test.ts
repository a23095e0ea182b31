// The local-file index store and updateIndex on a real file system: compare-and-swap by content
// hash, the O_EXCL lock file (stale ones broken, live ones waited for), and two separate processes
// racing to add entries.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.ts';
import { readIndexKeys } from '../../src/plan/select.ts';
import { emptyIndex, fileIndexStore, mergeIndex, parseIndex, updateIndex } from '../../src/publish/index-store.ts';
import { entry } from './index-entries.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

let dir: string;
let file: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'trunkfarm-index-file-'));
  file = path.join(dir, 'site', 'index.json');
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('fileIndexStore', () => {
  it('compares and swaps by content hash', async () => {
    const store = fileIndexStore(file);
    const empty = await store.read();
    expect(empty).toEqual({ index: { ...emptyIndex(), generatedAt: empty.index.generatedAt }, version: null });

    const one = mergeIndex(empty.index, [entry('k1')]);
    expect(await store.write(one, null)).toBe('ok');
    const read = await store.read();
    expect(read.index).toEqual(one);
    expect(read.version).toMatch(/^sha256:[0-9a-f]{64}$/);

    // A writer that read before the first write loses.
    expect(await store.write(mergeIndex(empty.index, [entry('k2', 'other')]), null)).toBe('conflict');
    expect(await store.write(mergeIndex(one, [entry('k2', 'other')]), 'sha256:' + '0'.repeat(64))).toBe('conflict');
    expect(await store.write(mergeIndex(one, [entry('k2', 'other')]), read.version)).toBe('ok');
    expect((await store.read()).index.entries.map((e) => e.key)).toEqual(['k2', 'k1']);

    // No lock or temporary file left behind.
    expect(await readdir(path.dirname(file))).toEqual(['index.json']);
  });

  it('updateIndex merges into what is there and writes nothing when nothing is new', async () => {
    const store = fileIndexStore(file);
    const first = await updateIndex(store, [entry('k1'), entry('k2', 'pg_cron', '1.6.4')]);
    expect(first).toMatchObject({ written: true, conflicts: 0 });
    const bytes = await readFile(file);
    const again = await updateIndex(store, [entry('k1')]);
    expect(again.written).toBe(false);
    expect((await readFile(file)).equals(bytes)).toBe(true);
    expect([...(await readIndexKeys(file))].sort()).toEqual(['k1', 'k2']);
  });

  it('breaks a stale lock and waits for a live one, then gives up naming it', async () => {
    const store = fileIndexStore(file, { staleLockMs: 5_000, lockTimeoutMs: 300 });
    await updateIndex(store, [entry('k1')]);
    const lock = `${file}.lock`;

    await writeFile(lock, '999999@elsewhere crashed\n');
    const old = new Date(Date.now() - 60_000);
    await utimes(lock, old, old);
    await updateIndex(store, [entry('k2', 'other')]);
    expect(await readdir(path.dirname(file))).toEqual(['index.json']);

    await writeFile(lock, '4242@builder busy\n');
    const err = await updateIndex(store, [entry('k3', 'third')]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as Error).message).toContain(`stayed locked for 0 s by ${lock} (4242@builder busy); if no publish is running, remove that file`);
    expect((await readIndexKeys(file)).has('k3')).toBe(false);
  });

  it('names the file when the stored index is not an index', async () => {
    await updateIndex(fileIndexStore(file), [entry('k1')]);
    await writeFile(file, '{"version": 1, "entries": {}}');
    await expect(updateIndex(fileIndexStore(file), [entry('k2')])).rejects.toThrow(`${file}: "entries" must be a list`);
  });

  it('two processes adding 200 entries each, one update at a time, lose none', async () => {
    const writer = (id: string) =>
      new Promise<{ conflicts: number; written: number }>((resolve, reject) => {
        const code = `
          import { existsSync, writeFileSync } from 'node:fs';
          import { fileIndexStore, updateIndex } from ${JSON.stringify(path.join(ROOT, 'src/publish/index-store.ts'))};
          const store = fileIndexStore(process.env.INDEX_FILE);
          // Start together, whatever each process's start-up took.
          writeFileSync(process.env.READY, '');
          while (!existsSync(process.env.GO)) await new Promise((r) => setTimeout(r, 5));
          let conflicts = 0, written = 0;
          for (let i = 0; i < 200; i++) {
            const entry = {
              key: process.env.WRITER + '-' + i, extension: 'ext-' + process.env.WRITER, version: '1.0.' + i, pg: 17, arch: 'amd64',
              libc: 'glibc', platform: 'pg17-gnulinux-amd64', status: 'built',
              closure: { ok: true, bundled: [], problems: [] },
              provenance: { source: 's', sourceDigest: 'd', builderImage: 'b', baseImage: 'b' },
              builtAt: new Date().toISOString(),
            };
            const r = await updateIndex(store, [entry], { retries: 1000, backoffMs: 5 });
            conflicts += r.conflicts;
            written += r.written ? 1 : 0;
          }
          process.stdout.write(JSON.stringify({ conflicts, written }));
        `;
        execFile(
          process.execPath,
          ['--import', 'tsx', '--input-type=module', '-e', code],
          { cwd: ROOT, env: { ...process.env, INDEX_FILE: file, WRITER: id, READY: path.join(dir, `ready-${id}`), GO: path.join(dir, 'go') } },
          (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(JSON.parse(stdout))),
        );
      });

    // Meanwhile, read the file as a planner would: never a half-written index.
    let running = true;
    let reads = 0;
    const reader = (async () => {
      while (running) {
        const text = await readFile(file, 'utf8').catch(() => null);
        if (text !== null) {
          parseIndex(text, file);
          reads++;
        }
        await new Promise((r) => setTimeout(r, 2));
      }
    })();
    const writers = Promise.all([writer('a'), writer('b')]);
    const started = (async () => {
      while (running && (!existsSync(path.join(dir, 'ready-a')) || !existsSync(path.join(dir, 'ready-b')))) await new Promise((r) => setTimeout(r, 5));
      await writeFile(path.join(dir, 'go'), '');
    })();
    const results = await writers.finally(() => (running = false));
    await started;
    await reader;

    const keys = await readIndexKeys(file);
    expect(keys.size).toBe(400);
    for (const id of ['a', 'b']) for (let i = 0; i < 200; i++) expect(keys.has(`${id}-${i}`)).toBe(true);
    expect(results.map((r) => r.written)).toEqual([200, 200]);
    expect(reads).toBeGreaterThan(0);
    expect(await readdir(path.dirname(file))).toEqual(['index.json']);
    // The race was real: some writes lost it and were redone.
    const conflicts = results.reduce((n, r) => n + r.conflicts, 0);
    expect(conflicts).toBeGreaterThan(0);
    console.log(`two writers x 200 updates: ${conflicts} conflicts redone, ${reads} concurrent reads all whole`);
  }, 180_000);
});
