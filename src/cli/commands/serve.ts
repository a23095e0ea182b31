import type { Command } from 'commander';
import { defaultCacheDir, openRepository, type ImageRepository } from '../../compose/index.ts';
import { UserError } from '../../errors.ts';
import { createClient } from '../../publish/registry/index.ts';
import { startServer } from '../../serve/server.ts';

interface ServeFlags {
  base: string[];
  extensions: string;
  listen: string;
}

const ALIAS = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;

export function register(program: Command): void {
  program
    .command('serve')
    .description('run a read-only registry that composes BASE/EXT/...:TAG images on pull')
    .option('--base <alias=repository>', 'a base: pulls of ALIAS/...:TAG compose onto REPOSITORY:TAG (HOST/REPO or oci:DIR); repeat for more', (v: string, all: string[]) => [...all, v], [] as string[])
    .option('--extensions <where>', 'where `trunkfarm publish` put the extensions: HOST/NAMESPACE or oci:DIR', 'oci:out/oci')
    .option('--listen <host:port>', 'address to listen on', '127.0.0.1:5080')
    .action(async (flags: ServeFlags) => {
      if (flags.base.length === 0) throw new UserError('serve: give at least one --base ALIAS=REPOSITORY, e.g. --base postgres=localhost:5000/library/postgres', { exitCode: 2 });
      const client = createClient({});
      const bases = new Map<string, ImageRepository>();
      for (const b of flags.base) {
        const eq = b.indexOf('=');
        const alias = b.slice(0, eq);
        if (eq <= 0 || !ALIAS.test(alias)) throw new UserError(`--base ${b}: expected ALIAS=REPOSITORY with a lower-case repository-style alias`, { exitCode: 2 });
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
    });
}
