// A compile that fails the way an extension fails on a server API it was not written for names
// the entry field that keeps it off that major; other failures are left as they are.
import { describe, expect, it } from 'vitest';
import { StepError, withMajorHint } from '../../src/builder/index.ts';
import { loadValidMatrix } from '../../src/matrix/index.ts';
import { entryYaml, scratchMatrix } from '../support/matrix.ts';

async function entry(extra = '') {
  const dir = await scratchMatrix({ 'tf_old.yaml': entryYaml('tf_old', extra) });
  return (await loadValidMatrix(dir)).entries[0]!.entry;
}

const failed = (tail: string) => new StepError('compile', 'exit status 2; last lines of tf_old-1.0.0+pg17-gnulinux-amd64/logs/compile.log', tail);

describe('a failed compile on an unsupported major', () => {
  it('suggests dependencies.postgres.version when the compiler meets a changed server API', async () => {
    const e = await entry();
    const err = withMajorHint(failed("src/old.c:42:5: error: implicit declaration of function 'heap_open'\nmake: *** [old.o] Error 1"), e, 17);
    expect(err.message).toContain("error: implicit declaration of function 'heap_open'");
    expect(err.message).toMatch(/tf_old 1\.0\.0 may not support PostgreSQL 17: .*dependencies\.postgres\.version in its matrix entry \(unset now, so every major\): "< 17" if 17 is too new for it, ">= 18" if too old$/);
    // Shown after a log tail the reader has seen: the summary keeps the hint, not the tail.
    expect(err.summary).not.toContain('heap_open');
    expect(err.summary).toContain('dependencies.postgres.version');
  });

  it('names the range the entry has now', async () => {
    const e = await entry('  postgres:\n    version: ">= 12"\n');
    const err = withMajorHint(failed('old.c:7:2: error: #error "PG_VERSION_NUM too new"'), e, 18);
    expect(err.message).toContain('(now ">= 12")');
  });

  it('leaves other failures alone', async () => {
    const e = await entry();
    const err = failed('/bin/sh: 1: cmake: not found');
    expect(withMajorHint(err, e, 17)).toBe(err);
  });
});
