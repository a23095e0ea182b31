import { UserError } from '../../errors.ts';
import { installTrunk, uninstallTrunk, type InstallTarget } from '../../package/index.ts';
import type { VerifyFlags } from './verify.ts';

export async function run(file: string, opts: VerifyFlags & { pgConfig?: string; extensionsDir?: string; uninstall?: boolean; json?: boolean }): Promise<void> {
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
  // every file inside check out. Sigstore's libraries load only then.
  if (opts.key || opts.repo) {
    const [{ verifyArtifact }, { verifyOptions }] = await Promise.all([import('../../sign/index.ts'), import('./verify.ts')]);
    await verifyArtifact(file, verifyOptions(opts));
  }
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
}
