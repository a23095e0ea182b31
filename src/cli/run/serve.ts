import { defaultCacheDir, openRepository, type ImageRepository } from '../../compose/index.ts';
import { UserError } from '../../errors.ts';
import { createClient, isRepositoryPath } from '../../oci/index.ts';
import { startServer } from '../../serve/index.ts';

interface ServeFlags {
  base: string[];
  extensions: string;
  listen: string;
}

export async function run(flags: ServeFlags): Promise<void> {
  if (flags.base.length === 0) throw new UserError('serve: give at least one --base ALIAS=REPOSITORY, e.g. --base postgres=localhost:5000/library/postgres', { exitCode: 2 });
  const client = createClient({});
  const bases = new Map<string, ImageRepository>();
  for (const b of flags.base) {
    const eq = b.indexOf('=');
    const alias = b.slice(0, eq);
    if (eq <= 0 || !isRepositoryPath(alias)) throw new UserError(`--base ${b}: expected ALIAS=REPOSITORY with a lower-case repository-style alias`, { exitCode: 2 });
    bases.set(alias, openRepository(b.slice(eq + 1), client));
  }
  const m = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(flags.listen);
  if (m === null) throw new UserError(`--listen ${flags.listen}: expected HOST:PORT`, { exitCode: 2 });
  const server = await startServer(
    { bases, extensions: flags.extensions, client, cacheDir: defaultCacheDir(), log: (l) => process.stderr.write(`${l}\n`) },
    { host: m[1]!.replace(/^\[|\]$/g, ''), port: Number(m[2]) },
  );
  process.stdout.write(`serving on ${server.url}: pull ${server.host}/${[...bases.keys()][0]}/EXTENSION/...:TAG\n`);
  await new Promise<void>((resolve) => {
    const stop = () => void server.close().then(resolve);
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  client.close();
}
