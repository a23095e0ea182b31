import path from 'node:path';
import { type Composition, compose, defaultCacheDir, parseExtensionSpec, parseImageRef, pushComposition, writeCompositionLayout } from '../../compose/index.ts';
import { UserError } from '../../errors.ts';
import { createClient, isTag, parseReference } from '../../oci/index.ts';
import type { Arch } from '../../types.ts';

interface ComposeFlags {
  base: string;
  ext: string[];
  to?: string;
  ociLayout?: string;
  tag?: string;
  extensions: string;
  arch?: Arch;
  json?: boolean;
}

export async function run(flags: ComposeFlags): Promise<void> {
  if ((flags.to === undefined) === (flags.ociLayout === undefined)) throw new UserError('compose: give one of --to REF or --oci-layout DIR', { exitCode: 2 });
  if (flags.ext.length === 0) throw new UserError('compose: give at least one --ext NAME[@VERSION]', { exitCode: 2 });
  const requests = flags.ext.map(parseExtensionSpec);
  const target = flags.to === undefined ? undefined : parseReference(flags.to);
  if (target !== undefined && target.tag === undefined) throw new UserError(`--to ${flags.to}: name a tag (HOST/REPO:TAG)`, { exitCode: 2 });
  const client = createClient({});
  try {
    const base = parseImageRef(flags.base, client);
    const cacheDir = defaultCacheDir();
    const composition = await compose(base, requests, { client, extensions: flags.extensions, cacheDir, ...(flags.arch && { arch: flags.arch }) });
    const layoutDir = path.join(cacheDir, 'layout');
    let where: string;
    let moved: Record<string, number>;
    if (target !== undefined) {
      const pushed = await pushComposition(composition, layoutDir, target, client);
      where = `${target.registry}/${target.repository}:${target.tag}`;
      moved = { uploadedBytes: pushed.stats.blobBytesUploaded, blobsUploaded: pushed.stats.blobsUploaded, blobsMounted: pushed.stats.blobsMounted, blobsPresent: pushed.stats.blobsPresent, manifestsPushed: pushed.stats.manifestsPushed };
    } else {
      const tag = flags.tag ?? defaultTag(base.reference, requests.map((r) => r.name));
      if (!isTag(tag)) throw new UserError(`--tag ${tag}: not a valid tag`, { exitCode: 2 });
      const written = await writeCompositionLayout(composition, layoutDir, flags.ociLayout!, tag);
      where = `oci:${flags.ociLayout}:${tag}`;
      moved = { bytesWritten: written.bytesWritten };
    }
    if (flags.json) process.stdout.write(`${JSON.stringify({ reference: where, ...summary(composition), transfer: moved }, null, 2)}\n`);
    else process.stdout.write(describe(composition, where, moved));
  } finally {
    client.close();
  }
}

function defaultTag(baseReference: string, names: string[]): string {
  const base = baseReference.startsWith('sha256:') ? 'composed' : baseReference;
  return [base, ...[...names].sort()].join('-').slice(0, 128);
}

export function summary(c: Composition) {
  return {
    digest: c.top.digest,
    mediaType: c.top.mediaType,
    images: c.images.map((i) => ({
      arch: i.base.facts.arch,
      digest: i.manifest.digest,
      base: { repository: i.base.repository.label, digest: i.base.manifest.digest, layers: i.base.document.layers.length, postgres: i.base.facts.pg, libc: i.base.facts.libc },
      extensions: i.layers.map((l) => ({ name: l.meta.name, version: l.meta.version, trunk: `sha256:${l.trunk.sha256}`, layer: l.descriptor.digest, size: l.descriptor.size, files: l.paths.length })),
    })),
    skipped: c.skipped,
  };
}

function describe(c: Composition, where: string, moved: Record<string, number>): string {
  const lines = [`composed ${where}@${c.top.digest}`];
  for (const i of c.images) {
    lines.push(`  linux/${i.base.facts.arch} ${i.manifest.digest}: ${i.base.document.layers.length} base layer(s) + ${i.layers.length} (PostgreSQL ${i.base.facts.pg}, ${i.base.facts.libc})`);
    for (const l of i.layers) lines.push(`    + ${l.meta.name} ${l.meta.version}: ${l.paths.length} file(s), layer ${l.descriptor.digest} (${l.descriptor.size} bytes)`);
  }
  for (const s of c.skipped) lines.push(`  linux/${s.arch} left out: ${s.reason}`);
  lines.push(`  ${Object.entries(moved).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  return `${lines.join('\n')}\n`;
}
