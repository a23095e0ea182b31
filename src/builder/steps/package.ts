// The package step: the stage written as a trunk and an OCI image layout, with the sidecar that
// signing reads to state how the trunk was made.
import path from 'node:path';
import type { CheckResult } from '../../closure/index.ts';
import type { ExtensionEntry } from '../../matrix/index.ts';
import { pack, type PackageMeta, type PackResult } from '../../package/index.ts';
// The modules, not sign/index.ts: that would load Sigstore's libraries into every build.
import { builderImageInput } from '../../sign/provenance.ts';
import { writeSidecar } from '../../sign/sidecar.ts';
import type { JsonObject } from '../../sign/types.ts';
import type { Job, Platform } from '../../types.ts';
import type { JobContext } from '../context.ts';
import type { PgConfig } from '../stage.ts';
import type { ClosureOutput } from './closure.ts';
import type { ImagesOutput } from './images.ts';
import type { SourceOutput } from './source.ts';

export function packageStep(ctx: JobContext, made: { source: SourceOutput; images: ImagesOutput; pg: PgConfig; closure: ClosureOutput }): Promise<PackResult> {
  return ctx.steps.run('package', async () => {
    const { entry, job, platform } = ctx;
    const { source, images, pg, closure } = made;
    // The libc version a package states is the oldest it runs on: for glibc, the newest symbol
    // version its files ask for; musl has no symbol versions, so the base image's musl.
    const libcVersion = platform.libc === 'glibc' ? closure.checked.glibcRequired : closure.inventory.libcVersion;
    const written = await pack(ctx.paths.stage, packageMeta(entry, job, platform, pg, closure.checked, source.sha256, source.epoch, libcVersion), ctx.paths.dir);
    await writeSidecar(written.trunk.path, written.trunk.sha256, {
      entry: entry as unknown as JsonObject,
      platform: { name: platform.name, builder: images.builder.ref, base: images.base.ref },
      ...(source.sha256 ? { source: { uri: source.uri, sha256: source.sha256 } } : {}),
      // The manifest digest the image is pulled by when the engine knows one, else its id.
      builderImage: builderImageInput(images.builder.ref, images.builder.info),
      buildKey: job.key,
      startedOn: ctx.startedAt,
      finishedOn: new Date().toISOString(),
    });
    const dir = ctx.paths.dir;
    ctx.result.artifacts = {
      trunk: { file: path.relative(dir, written.trunk.path), sha256: written.trunk.sha256, size: written.trunk.size, files: written.trunk.digests.size },
      oci: { layout: path.relative(dir, written.layout), tag: written.image.tag, digest: written.image.index.digest, size: written.image.layer.size },
    };
    return written;
  });
}

function packageMeta(entry: ExtensionEntry, job: Job, platform: Platform, pg: PgConfig, closure: CheckResult | undefined, sourceSha: string, epoch: number, libcVersion: string | undefined): PackageMeta {
  const version = (pg.version ?? '').replace(/^PostgreSQL\s+/, '').split(/\s/)[0] ?? '';
  const [maj, min] = version.split('.').map((n) => Number.parseInt(n, 10));
  const sqlOnly = entry.language === 'sql';
  // System libraries: what the files need that the package does not ship (bundled or its own).
  const shipped = new Set([...(closure?.bundled ?? []).map((b) => b.soname), ...(closure?.files ?? []).flatMap((f) => (f.soname ? [f.soname] : []))]);
  return {
    name: entry.name,
    version: entry.version,
    license: entry.license,
    abstract: entry.abstract,
    homepage: entry.homepage,
    ...('url' in entry.source && entry.source.url ? { sourceUrl: entry.source.url } : 'git' in entry.source ? { sourceUrl: entry.source.git } : {}),
    language: entry.language,
    extensions: entry.contents.extensions,
    postgres: { version, major: platform.pg, versionNum: (maj ?? platform.pg) * 10000 + (min ?? 0), cflags: pg.cflags ?? '', cppflags: pg.cppflags ?? '', ldflags: pg.ldflags ?? '', libs: pg.libs ?? '' },
    platform: sqlOnly ? { os: 'any', arch: 'any', libc: 'any' } : { os: platform.os, arch: platform.arch, libc: platform.libc, ...(libcVersion ? { libcVersion } : {}), isa: platform.isa },
    dependencies: {
      extensions: entry.dependencies.extensions ?? [],
      system: [...new Set((closure?.files ?? []).flatMap((f) => f.needed).filter((n) => !shipped.has(n)))].sort(),
      bundled: (closure?.bundled ?? []).map((b) => ({ soname: b.soname, file: b.file, ...(b.package ? { package: b.package } : {}), ...(b.version ? { version: b.version } : {}), ...(b.license ? { license: b.license } : {}) })),
    },
    buildKey: job.key,
    sourceDigest: `sha256:${sourceSha || '0'.repeat(64)}`,
    sourceDateEpoch: epoch,
  };
}
