// Renders the zod definitions as the JSON Schemas checked in under schema/, for editors
// (`# yaml-language-server: $schema=...`). A test keeps the files equal to this output.
import { z } from 'zod';
import { extensionEntry, platformsFile } from './schema.ts';

export const SCHEMA_FILES = {
  'extension.schema.json': { schema: extensionEntry, title: 'trunkfarm extension entry' },
  'platforms.schema.json': { schema: platformsFile, title: 'trunkfarm platforms' },
} as const;

export function renderSchema(name: keyof typeof SCHEMA_FILES): string {
  const { schema, title } = SCHEMA_FILES[name];
  // "input": fields with defaults are optional to whoever writes the YAML.
  const json = { title, ...z.toJSONSchema(schema, { io: 'input', target: 'draft-2020-12' }) };
  return `${JSON.stringify(json, null, 2)}\n`;
}
