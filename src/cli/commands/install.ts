import type { Command } from 'commander';
import { UserError } from '../../errors.ts';
import { installTrunk, uninstallTrunk, type InstallTarget } from '../../package/index.ts';
import { verifyArtifact } from '../../sign/index.ts';
import { type VerifyFlags, verifyOptions } from './verify.ts';

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
    .action(async (file: string, opts: VerifyFlags & { pgConfig?: string; extensionsDir?: string; uninstall?: boolean; json?: boolean }) => {
      let target: InstallTarget;
      if (opts.extensionsDir !== undefined) target = { extensionsDir: opts.extensionsDir, ...(opts.pgConfig ? { pgConfig: opts.pgConfig } : {}) };
      else if (opts.pgConfig !== undefined) target = { pgConfig: opts.pgConfig };
      else throw new UserError('install: give --pg-config PATH or --extensions-dir DIR', { exitCode: 2 });

      if (opts.uninstall) {
        const r = await uninstallTrunk(file, target);
        if (opts.json) process.stdout.write(`${JSON.stringify(r)}\n`);
        else process.stdout.write(`removed ${r.package} ${r.version}: ${r.removed.length} file(s)\n`);
        return;
      }
      // With a key or an identity, nothing is written unless the signature, the provenance and
      // every file inside check out.
      if (opts.key || opts.repo) await verifyArtifact(file, verifyOptions(opts));
      const r = await installTrunk(file, target);
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(r)}\n`);
        return;
      }
      for (const w of r.warnings) process.stderr.write(`warning: ${w}\n`);
      process.stdout.write(`installed ${r.package} ${r.version} into ${r.target}: ${r.installed.length} file(s)\n`);
      if (r.settings) {
        process.stdout.write(
          `add to postgresql.conf (PostgreSQL 18+):\n` +
            `  extension_control_path = '${r.settings.extension_control_path}'\n` +
            `  dynamic_library_path = '${r.settings.dynamic_library_path}'\n`,
        );
      }
    });
}
