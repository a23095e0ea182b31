// `npm run bench [NAME...]`: runs each benchmark in bench/NAME.ts and prints its figures. Every
// figure is a ratio against a baseline measured in the same run, on the same machine.
import { readdir } from 'node:fs/promises';

const wanted = process.argv.slice(2);
const names = (await readdir(new URL('.', import.meta.url)))
  .filter((f) => f.endsWith('.ts') && f !== 'run.ts' && !f.startsWith('_'))
  .map((f) => f.slice(0, -3))
  .filter((n) => wanted.length === 0 || wanted.includes(n))
  .sort();

for (const name of names) {
  const mod = (await import(`./${name}.ts`)) as { run: () => Promise<void> };
  console.log(`\n## ${name}`);
  await mod.run();
}
