// A representative handful of the catalogue, built for real with the local images: the entry
// features each needs to work end to end. `npm run catalogue` builds the rest.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildShared } from '../support/build.ts';

const MINUTES = 60_000;
const smokeLog = (dir: string) => readFile(path.join(dir, 'logs', 'smoke.log'), 'utf8');

describe('a module-only package', () => {
  it('bgw_replstatus: no control file, preloaded with its test.settings, answers on its port', async () => {
    const { result, dir } = await buildShared('bgw_replstatus', 17);
    expect(result.status).toBe('built');
    const log = await smokeLog(dir);
    expect(log).not.toMatch(/CREATE EXTENSION/);
    // The worker's answer was read over TCP and asserted in the smoke SQL.
    expect(log).toMatch(/COPY 1\s*\nDO/);
    expect(await readdir(path.join(dir, 'stage', 'pgsql', 'pkglib'))).toContain('bgw_replstatus.so');
  }, 15 * MINUTES);
});

describe('an output plugin with server settings', () => {
  it('pglogical decodes an insert from a logical slot under wal_level = logical', async () => {
    const { result, dir } = await buildShared('pglogical', 17);
    expect(result.status).toBe('built');
    expect(await smokeLog(dir)).toMatch(/INSERT 0 1\s*\nDO/);
  }, 15 * MINUTES);
});

describe('a patched source', () => {
  it('pg_rational installs the script its patch adds to the Makefile, and creates its extension', async () => {
    const { result, dir } = await buildShared('pg_rational', 17);
    expect(result.status).toBe('built');
    expect(await readdir(path.join(dir, 'stage', 'pgsql', 'share', 'extension'))).toContain('pg_rational--0.0.1--0.0.2.sql');
    expect(await smokeLog(dir)).toMatch(/CREATE EXTENSION/);
  }, 15 * MINUTES);
});
