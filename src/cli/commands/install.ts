import type { Command } from 'commander';
import { lazy } from '../options.ts';

export function register(program: Command): void {
  program
    .command('install')
    .description('verify a trunk and install it into a PostgreSQL (--pg-config) or an extensions directory (--extensions-dir, PostgreSQL 18+)')
    .argument('<file>', 'the .trunk file')
    .option('--pg-config <path>', "install into the directories this pg_config names (and check against its PostgreSQL)")
    .option('--extensions-dir <dir>', 'lay the package out as DIR/NAME/{share/extension,lib,...}')
    .option('--uninstall', 'remove what an earlier install of this package put down')
    .option('--key <file>', 'verify first: the public key it must be signed with')
    .option('--repo <owner/repo>', 'verify first: the repository whose workflow must have signed it (keyless)')
    .option('--workflow <path>', 'verify first: the workflow that must have signed it (with --repo)')
    .option('--trusted-root <file>', 'keyless: Sigstore trusted root(s)')
    .option('--bundle <file>', 'Sigstore bundle (default FILE.sigstore.json)')
    .option('--json', 'print the result as JSON')
    .action(lazy(() => import('../run/install.ts')));
}
