import { describe, expect, it } from 'vitest';
import { formatTrunkName, parseTrunkName, trunkFileName } from '../../../src/package/index.ts';

describe('trunk names (PGXN RFC 2)', () => {
  it('parses the RFC examples', () => {
    expect(parseTrunkName('pgtap-1.0.1+pg15-any.trunk')).toEqual({ package: 'pgtap', version: '1.0.1', pg: 15 });
    expect(parseTrunkName('pair-0.32.1+pg16-gnulinux-amd64.trunk')).toEqual({ package: 'pair', version: '0.32.1', pg: 16, os: 'gnulinux', arch: 'amd64' });
    expect(parseTrunkName('pair-0.32.1+pg16-darwin-23.5.0-arm64.trunk')).toEqual({
      package: 'pair', version: '0.32.1', pg: 16, os: 'darwin', osVersion: '23.5.0', arch: 'arm64',
    });
    // A directory name (no .trunk) with a pre-release version: the right-most dash is not it.
    expect(parseTrunkName('pair-0.32.1-beta1+pg16-gnulinux-amd64')).toEqual({
      package: 'pair', version: '0.32.1-beta1', pg: 16, os: 'gnulinux', arch: 'amd64',
    });
    expect(parseTrunkName('semver-1.0.0-beta+pg15-musllinux-1.2-amd64v3')).toMatchObject({ version: '1.0.0-beta', osVersion: '1.2', arch: 'amd64v3' });
  });

  it('splits at the right-most dash whose right side is a SemVer', () => {
    expect(parseTrunkName('pg-hint-plan-1.6.1+pg17-any')).toMatchObject({ package: 'pg-hint-plan', version: '1.6.1' });
    expect(parseTrunkName('pkg-1.0.0-2.0.0+pg17-any')).toMatchObject({ package: 'pkg-1.0.0', version: '2.0.0' });
    expect(parseTrunkName('pkg-1.0.0-rc.1+pg17-any')).toMatchObject({ package: 'pkg', version: '1.0.0-rc.1' });
    expect(parseTrunkName('pgAdmin-4.0.0+pg16-any')).toMatchObject({ package: 'pgAdmin' });
  });

  it('formats and parses back', () => {
    for (const n of [
      { package: 'vector', version: '0.8.0', pg: 17, os: 'gnulinux', arch: 'arm64' },
      { package: 'postgis', version: '3.5.2', pg: 17, os: 'musllinux', osVersion: '1.2', arch: 'amd64' },
      { package: 'pgtap', version: '1.3.3', pg: 18 },
      { package: 'x_y.z', version: '0.0.1-alpha.1', pg: 9 },
    ]) {
      expect(trunkFileName(n).endsWith('.trunk')).toBe(true);
      expect(parseTrunkName(trunkFileName(n))).toEqual(n);
      expect(parseTrunkName(formatTrunkName(n))).toEqual(n);
    }
    expect(formatTrunkName({ package: 'vector', version: '0.8.0', pg: 17, os: 'gnulinux', arch: 'amd64' })).toBe('vector-0.8.0+pg17-gnulinux-amd64');
  });

  it.each([
    ['', /no "\+"/],
    ['.trunk', /no "\+"/],
    ['pgtap-1.0.1.trunk', /no "\+"/],
    ['+pg16-any', /no "-\{SemVer\}"/],
    ['pkg+pg16-any', /no "-\{SemVer\}"/],
    ['-1.0.0+pg16-any', /no "-\{SemVer\}"/],
    ['pkg-01.0.0+pg16-any', /no "-\{SemVer\}"/],
    ['pkg-1.0+pg16-any', /no "-\{SemVer\}"/],
    ['pkg-1.0.0+pg16', /2 to 4/],
    ['pkg-1.0.0+pg16-a-b-c-d', /2 to 4/],
    ['pkg-1.0.0+pgX-any', /Postgres major/],
    ['pkg-1.0.0+16-any', /Postgres major/],
    ['pkg-1.0.0+pg016-any', /Postgres major/],
    ['pkg-1.0.0+pg16-linux', /must be "any"/],
    ['pkg-1.0.0+pg16-any-amd64', /"any" takes no/],
    ['pkg-1.0.0+pg16--amd64', /build metadata|malformed/],
    ['pkg-1.0.0+pg16-gnulinux-amd64+x', /build metadata/],
    ['pkg-1.0.0+pg16-gnu_linux-amd64', /build metadata/],
    ['../evil-1.0.0+pg16-any', /bad package name/],
    ['a/b-1.0.0+pg16-any', /bad package name/],
    ['evil pkg-1.0.0+pg16-any', /bad package name/],
    ['pkg\n-1.0.0+pg16-any', /bad package name/],
    ['pkg-1.0.0+pg16-any\u0000', /build metadata/],
  ])('refuses %j', (input, why) => {
    expect(() => parseTrunkName(input)).toThrow(why);
  });

  it('refuses to format what would not parse back', () => {
    expect(() => formatTrunkName({ package: 'a+b', version: '1.0.0', pg: 16 })).toThrow(/package name/);
    expect(() => formatTrunkName({ package: 'ok', version: '1.0.0+build', pg: 16 })).toThrow(/version/);
    expect(() => formatTrunkName({ package: 'ok', version: '1.0.0', pg: 16, os: 'gnu-linux', arch: 'amd64' })).toThrow(/os/);
    expect(() => formatTrunkName({ package: 'ok', version: '1.0.0', pg: 16, os: 'gnulinux' })).toThrow(/without an arch/);
  });
});
