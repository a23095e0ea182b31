import { readFile } from 'node:fs/promises';
import { UserError } from '../../errors.ts';
import { pack, parsePackageMeta } from '../../package/index.ts';

export async function run(stage: string, opts: { meta: string; out: string; json?: boolean }): Promise<void> {
  const text = await readFile(opts.meta, 'utf8').catch(() => {
    throw new UserError(`--meta: cannot read ${opts.meta}`, { exitCode: 2 });
  });
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new UserError(`${opts.meta}: not JSON (${(err as Error).message})`);
  }
  const r = await pack(stage, parsePackageMeta(raw, opts.meta), opts.out);
  const summary = {
    trunk: { file: r.trunk.path, sha256: r.trunk.sha256, size: r.trunk.size },
    oci: {
      layout: r.layout,
      image: { tag: r.image.tag, digest: r.image.index.digest, manifests: r.image.manifests.map((m) => m.digest) },
      artifact: { tag: r.artifact.tag, digest: r.artifact.manifest.digest },
      rewritten: r.image.rewritten,
    },
  };
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(summary)}\n`);
    return;
  }
  process.stdout.write(
    `${r.trunk.path}\n  sha256 ${r.trunk.sha256}, ${r.trunk.size} bytes\n` +
      `${r.layout}\n  ${r.image.tag} -> ${r.image.index.digest}\n  ${r.artifact.tag} -> ${r.artifact.manifest.digest}\n` +
      r.image.rewritten.map((p) => `  rewrote '$libdir/...' in ${p}\n`).join(''),
  );
}
