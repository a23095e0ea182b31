// Writes schema/*.schema.json from src/matrix/schema.ts (`npm run schema`).
import { writeFile } from 'node:fs/promises';
import { renderSchema, SCHEMA_FILES } from '../src/matrix/json-schema.ts';

for (const name of Object.keys(SCHEMA_FILES) as (keyof typeof SCHEMA_FILES)[]) {
  await writeFile(new URL(`../schema/${name}`, import.meta.url), renderSchema(name));
  console.log(`wrote schema/${name}`);
}
