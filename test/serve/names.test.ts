import { describe, expect, it } from 'vitest';
import { NameError, parseComposeName } from '../../src/serve/names.ts';

const BASES = ['postgres', 'pg/alpine'];

function fails(name: string, reference: string): NameError {
  try {
    parseComposeName(name, reference, BASES);
  } catch (err) {
    expect(err).toBeInstanceOf(NameError);
    return err as NameError;
  }
  throw new Error(`${name}:${reference} was accepted`);
}

describe('composed image names', () => {
  it('reads extensions from the path, as container tools can spell them', () => {
    expect(parseComposeName('postgres/pgvector/postgis--3.5.2', '17-trixie', BASES)).toEqual({
      base: 'postgres',
      reference: '17-trixie',
      extensions: [{ name: 'pgvector' }, { name: 'postgis', version: '3.5.2' }],
    });
  });

  it('reads extensions from the tag, as the issue spells them', () => {
    expect(parseComposeName('postgres', '17-trixie+pgvector@0.8.0+postgis', BASES)).toEqual({
      base: 'postgres',
      reference: '17-trixie',
      extensions: [{ name: 'pgvector', version: '0.8.0' }, { name: 'postgis' }],
    });
  });

  it('takes the longest base alias, and plain base names and digests as they are', () => {
    expect(parseComposeName('pg/alpine/ip4r', '17', BASES)).toEqual({ base: 'pg/alpine', reference: '17', extensions: [{ name: 'ip4r' }] });
    expect(parseComposeName('postgres', '17-trixie', BASES).extensions).toEqual([]);
    const digest = `sha256:${'a'.repeat(64)}`;
    expect(parseComposeName('postgres/pgvector', digest, BASES)).toEqual({ base: 'postgres', reference: digest, extensions: [{ name: 'pgvector' }] });
  });

  it('refuses unknown bases, bad names and an extension named twice, saying which', () => {
    const unknown = fails('mysql/pgvector', '8');
    expect(unknown.code).toBe('NAME_UNKNOWN');
    expect(unknown.message).toMatch(/no base image is named "mysql".*"postgres", "pg\/alpine"/);
    expect(fails('postgres/Vector', '17').message).toMatch(/"Vector" is not an extension name/);
    expect(fails('postgres/pgvector', '17+pgvector').message).toMatch(/pgvector is named twice/);
    expect(fails('postgres', '+pgvector').code).toBe('MANIFEST_INVALID');
    expect(fails('postgres', '17+pgvector@').message).toMatch(/"" is not a version/);
  });
});
