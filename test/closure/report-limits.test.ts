// A module with thousands of NEEDED and RUNPATH entries: `check` answers in seconds with a report
// that lists the first problems per file and counts the rest.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { inventoryFromDir, saveInventory } from '../../src/closure/index.ts';
import { runCli } from '../support/cli.ts';
import { place, sharedLib } from './helpers/cc.ts';

const work = mkdtempSync(join(tmpdir(), 'trunkfarm-report-limits-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('closure report size', () => {
  it('summarises thousands of problems', async () => {
    const inventory = join(work, 'host.json');
    saveInventory(inventoryFromDir('/'), inventory);
    const root = join(work, 'wide');
    const module = place(sharedLib('wide.so', 'int f(void){return 1;}'), join(root, 'pgsql/pkglib'), 'wide.so');
    const needed = Array.from({ length: 3000 }, (_, i) => ['--add-needed', `libx${i}.so.1`]).flat();
    const runpath = Array.from({ length: 3000 }, (_, i) => `/opt/d${i}`).join(':');
    execFileSync('patchelf', [...needed, '--set-rpath', runpath, module]);
    const r = await runCli(['check', root, '--inventory', inventory]);
    expect(r.code).toBe(1);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(203);
    expect(lines[201]).toBe('  ... and 2801 more problem(s) (--json lists all; --limit report-lines=N shows more)');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  }, 60_000);
});
