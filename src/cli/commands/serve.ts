import type { Command } from 'commander';
import { lazy } from '../options.ts';

export function register(program: Command): void {
  program
    .command('serve')
    .description('run a read-only registry that composes BASE/EXT/...:TAG images on pull')
    .option('--base <alias=repository>', 'a base: pulls of ALIAS/...:TAG compose onto REPOSITORY:TAG (HOST/REPO or oci:DIR); repeat for more', (v: string, all: string[]) => [...all, v], [] as string[])
    .option('--extensions <where>', 'where `trunkfarm publish` put the extensions: HOST/NAMESPACE or oci:DIR', 'oci:out/oci')
    .option('--listen <host:port>', 'address to listen on', '127.0.0.1:5080')
    .action(lazy(() => import('../run/serve.ts')));
}
