import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { expandArgs } from '../../src/builder/pipeline.ts';

// What a shell makes of the arguments, one per line, with a pg_config that answers like Debian's.
function asShellSees(args: string[], pg = 17): string[] {
  const fakePgConfig = `/bin/sh -c 'case "$1" in --bindir) echo /usr/lib/postgresql/17/bin;; *) echo "?$1";; esac' pg_config`;
  const script = `PG_CONFIG=pgc; pgc() { ${fakePgConfig} "$@"; }\nprintf '%s\\n' ${expandArgs(args, pg).replaceAll('"$PG_CONFIG"', 'pgc')}`;
  return execFileSync('sh', ['-c', script], { encoding: 'utf8' }).split('\n').slice(0, -1);
}

describe('build arguments from the matrix', () => {
  it('reach the build as the exact strings written, whatever shell syntax they hold', () => {
    const args = ['OPTFLAGS=', 'CFLAGS=-O2 -g', "it's", '$(reboot)', '`id`', 'a;b|c&d', '--with-x=$HOME'];
    expect(asShellSees(args)).toEqual(args);
  });

  it('replace {pg} and {pg_config --DIR} with the builder\'s values', () => {
    expect(asShellSees(['--bindir={pg_config --bindir}', '--with-pg={pg}'])).toEqual(['--bindir=/usr/lib/postgresql/17/bin', '--with-pg=17']);
  });
});
