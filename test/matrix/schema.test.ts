import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { renderSchema, SCHEMA_FILES } from '../../src/matrix/json-schema.ts';

describe('checked-in JSON Schemas', () => {
  for (const name of Object.keys(SCHEMA_FILES) as (keyof typeof SCHEMA_FILES)[]) {
    it(`schema/${name} is current (run \`npm run schema\`)`, async () => {
      expect(await readFile(`schema/${name}`, 'utf8')).toBe(renderSchema(name));
    });
  }

  it('rejects what the validator rejects: unknown fields and bad checksums', async () => {
    const schema = JSON.parse(await readFile('schema/extension.schema.json', 'utf8')) as {
      additionalProperties: boolean;
      properties: { source: { anyOf: { properties?: { sha256?: { pattern: string } } }[] } };
    };
    expect(schema.additionalProperties).toBe(false);
    const pattern = schema.properties.source.anyOf.find((s) => s.properties?.sha256)!.properties!.sha256!.pattern;
    expect(new RegExp(pattern).test('ab'.repeat(32))).toBe(true);
    expect(new RegExp(pattern).test('abc')).toBe(false);
  });
});
