// What a base image is, read from the image itself rather than from its tag: its layers are
// streamed through the same reader the closure check uses, giving the loader's inventory (libc,
// machine, libraries) and where PostgreSQL lives: its major and the directories `pg_config` would
// print. That works for Debian-based images (/usr/lib/postgresql/17, /usr/share/postgresql/17)
// and for Alpine-based ones (/usr/local) alike, for any architecture, with no container engine.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { cacheRoot } from '../cache/index.ts';
import { type Inventory, type PostgresInstall, type RootView, captureInventory, inventoryFromLayers, parseInventory, resolvePath } from '../closure/index.ts';
import { UserError } from '../errors.ts';
import type { PgDirs } from '../package/index.ts';
import { type Descriptor, isIndexType } from '../oci/index.ts';
import { ARCHES, type Arch, type Libc } from '../types.ts';
import type { FetchedManifest, ImageRepository } from './repository.ts';

/** What composing needs to know of a base image's PostgreSQL. */
export interface BaseFacts {
  pg: number;
  libc: Libc;
  arch: Arch;
  /** `pg_config`'s directories, keyed as its flags (`bindir`, `sharedir`, `pkglibdir`, ...). */
  dirs: PgDirs;
  /** Files the base has where extensions go (pkglibdir, sharedir/extension): a layer must not hide them. */
  files: string[];
  inventory: Inventory;
}

/** One single-platform image of the base, ready to compose onto. */
export interface BaseImage {
  repository: ImageRepository;
  /** The reference it was asked by (tag or digest). */
  reference: string;
  manifest: FetchedManifest;
  /** The manifest's JSON, and its config's. */
  document: { config: Descriptor; layers: Descriptor[]; annotations?: Record<string, string> };
  config: ImageConfig;
  facts: BaseFacts;
}

export interface ImageConfig {
  architecture?: string;
  os?: string;
  variant?: string;
  created?: string;
  config?: { Labels?: Record<string, string>; [key: string]: unknown };
  rootfs?: { type: string; diff_ids: string[] };
  history?: { created?: string; created_by?: string; comment?: string; empty_layer?: boolean }[];
  [key: string]: unknown;
}

const FACTS_VERSION = 1;
const MANIFEST_LIMIT = 4 << 20;

/** The single-platform images of a base reference: every linux/amd64 and linux/arm64 image of an
 * index (or the one `arch` asks for), or the image itself. */
export async function resolveBase(repository: ImageRepository, reference: string, options: { arch?: Arch; cacheDir?: string } = {}): Promise<BaseImage[]> {
  const top = await repository.manifest(reference);
  if (top === undefined) throw new UserError(`base image ${repository.label}:${reference}: no such image`);
  const images: FetchedManifest[] = [];
  if (isIndexType(top.mediaType)) {
    const index = parseJson<{ manifests?: Descriptor[] }>(top.bytes, `${repository.label}:${reference}`);
    for (const d of index.manifests ?? []) {
      const arch = archOf(d.platform?.architecture);
      if (d.platform?.os !== 'linux' || arch === undefined || (options.arch !== undefined && arch !== options.arch)) continue;
      const m = await repository.manifest(d.digest);
      if (m === undefined) throw new UserError(`base image ${repository.label}:${reference}: its index lists ${d.digest}, which is missing`);
      images.push(m);
    }
    if (images.length === 0) {
      throw new UserError(`base image ${repository.label}:${reference}: no linux/${options.arch ?? '{amd64,arm64}'} image in its index`);
    }
  } else {
    images.push(top);
  }
  const out: BaseImage[] = [];
  for (const manifest of images) out.push(await inspectImage(repository, reference, manifest, options));
  return out;
}

async function inspectImage(repository: ImageRepository, reference: string, manifest: FetchedManifest, options: { arch?: Arch; cacheDir?: string }): Promise<BaseImage> {
  const where = `base image ${repository.label}@${manifest.digest}`;
  if (manifest.size > MANIFEST_LIMIT) throw new UserError(`${where}: manifest too large`);
  const document = parseJson<BaseImage['document']>(manifest.bytes, where);
  if (!document.config || !Array.isArray(document.layers)) throw new UserError(`${where}: not an image manifest (no config or layers)`);
  const config = parseJson<ImageConfig>(await readAll(await repository.blob(document.config.digest), MANIFEST_LIMIT, where), `${where} config`);
  const arch = archOf(config.architecture);
  if (config.os !== 'linux' || arch === undefined) throw new UserError(`${where}: a ${config.os}/${config.architecture} image; trunkfarm composes linux/amd64 and linux/arm64 images`);
  if (options.arch !== undefined && options.arch !== arch) throw new UserError(`${where}: is linux/${arch}, not linux/${options.arch}`);
  const facts = await baseFacts(repository, document, config, arch, options.cacheDir ?? path.join(cacheRoot(), 'compose', 'base'), where);
  return { repository, reference, manifest, document, config, facts };
}

/** Facts are cached by config digest: the config names every layer's uncompressed digest. */
async function baseFacts(repository: ImageRepository, document: BaseImage['document'], config: ImageConfig, arch: Arch, cacheDir: string, where: string): Promise<BaseFacts> {
  const file = path.join(cacheDir, `${document.config.digest.replace(':', '-')}.json`);
  const cached = await readFile(file, 'utf8').then((t) => JSON.parse(t) as { version?: number; facts?: BaseFacts }).catch(() => undefined);
  if (cached?.version === FACTS_VERSION && cached.facts !== undefined) {
    return { ...cached.facts, inventory: parseInventory(cached.facts.inventory, file) };
  }
  const layers = document.layers.map((layer) => async () => layerStream(await repository.blob(layer.digest), layer, where));
  const source = `${repository.label}@${document.config.digest}`;
  const { inventory, view } = await inventoryFromLayers(layers, { source, keep: keepPostgresFiles });
  // The image's shell decides the libc the inventory describes; a musl PostgreSQL installed on a
  // glibc system (or the reverse) is found by describing the other libc.
  const other = inventory.libc === 'glibc' ? 'musl' : 'glibc';
  const serverIn = (inv: Inventory) => inv.postgres.some((p) => p.pkglibdir !== undefined);
  let chosen = inventory;
  if (!serverIn(inventory)) {
    try {
      const alternative = captureInventory(view, { source, libc: other });
      if (serverIn(alternative)) chosen = alternative;
    } catch {
      // no loader of the other libc: keep the first answer and its error below
    }
  }
  const facts = postgresFacts(view, chosen, arch, where);
  await mkdir(cacheDir, { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify({ version: FACTS_VERSION, facts }));
  await rename(tmp, file);
  return facts;
}

function keepPostgresFiles(p: string): 'data' | undefined {
  return p.endsWith('/postgres.bki') || p.endsWith('/extension/plpgsql.control') ? 'data' : undefined;
}

/** An uncompressed tar stream of a layer. */
function layerStream(body: Readable, layer: Descriptor, where: string): Readable {
  const type = layer.mediaType;
  if (/tar\+gzip$|tar\.gzip$/.test(type)) {
    const gunzip = createGunzip();
    body.on('error', (err) => gunzip.destroy(err));
    return body.pipe(gunzip);
  }
  if (/\.tar$|layer\.v1\.tar$|diff\.tar$/.test(type)) return body;
  body.destroy();
  throw new UserError(`${where}: layer ${layer.digest} is ${type}; trunkfarm reads gzip and uncompressed layers`);
}

/** The server that modules of `arch` and the image's libc would be loaded by, and its directories. */
function postgresFacts(view: RootView, inventory: Inventory, arch: Arch, where: string): BaseFacts {
  const machine = arch === 'amd64' ? 'x86_64' : 'aarch64';
  if (inventory.machine !== machine) throw new UserError(`${where}: its config says ${arch} but its loader is for ${inventory.machine}`);
  const withLib = inventory.postgres.filter((p) => p.pkglibdir !== undefined);
  if (withLib.length === 0) throw new UserError(`${where}: no PostgreSQL server found (looked for bin/postgres with plpgsql.so in a pkglibdir beside it)`);
  if (withLib.length > 1 && new Set(withLib.map((p) => p.major)).size > 1) {
    throw new UserError(`${where}: holds several PostgreSQL servers (${withLib.map((p) => p.bin).join(', ')}); compose onto an image with one`);
  }
  const pg: PostgresInstall = withLib[0]!;
  const bindir = path.posix.dirname(pg.bin);
  const sharedir = findSharedir(view, pg);
  if (sharedir === undefined) throw new UserError(`${where}: found ${pg.bin} but no share directory with extension/plpgsql.control`);
  const major = pg.major ?? majorFromBki(view, sharedir);
  if (major === undefined) throw new UserError(`${where}: cannot tell the PostgreSQL major of ${pg.bin} (no version in its path or in ${sharedir}/postgres.bki)`);
  const dirs: PgDirs = {
    bindir,
    sharedir,
    pkglibdir: pg.pkglibdir!,
    ...(pg.libdir !== undefined && { libdir: pg.libdir }),
    docdir: docdirFor(sharedir, major),
  };
  const files = [dirs.pkglibdir!, `${sharedir}/extension`].flatMap((d) => {
    const real = resolvePath(view, d);
    return real === undefined ? [] : (view.readdir(real.path) ?? []).map((n) => `${d}/${n}`);
  });
  return { pg: major, libc: inventory.libc, arch, dirs, files: files.sort(), inventory };
}

/** As the packagers configure it: Debian's postgresql-doc-NN, else `doc` beside `share`. */
function docdirFor(sharedir: string, major: number): string {
  if (sharedir === `/usr/share/postgresql/${major}`) return `/usr/share/doc/postgresql-doc-${major}`;
  const { dirname, basename, join } = path.posix;
  return basename(sharedir) === 'share' ? join(dirname(sharedir), 'doc') : join(dirname(sharedir), 'doc', basename(sharedir));
}

function findSharedir(view: RootView, pg: PostgresInstall): string | undefined {
  const prefix = path.posix.dirname(path.posix.dirname(pg.bin));
  const candidates = [
    ...(pg.major !== undefined ? [`/usr/share/postgresql/${pg.major}`] : []),
    path.posix.join(prefix, 'share', 'postgresql'),
    path.posix.join(prefix, 'share'),
    '/usr/share/postgresql',
  ];
  return candidates.find((d) => resolvePath(view, `${d}/extension/plpgsql.control`)?.entry.kind === 'file');
}

/** postgres.bki opens with `# PostgreSQL 17`. */
function majorFromBki(view: RootView, sharedir: string): number | undefined {
  const r = resolvePath(view, `${sharedir}/postgres.bki`);
  const head = r === undefined ? undefined : view.readFile(r.path, 1 << 24)?.subarray(0, 64).toString('latin1');
  const m = head === undefined ? null : /^# PostgreSQL (\d+)/.exec(head);
  return m === null ? undefined : Number(m[1]);
}

function archOf(value: string | undefined): Arch | undefined {
  return (ARCHES as readonly string[]).includes(value ?? '') ? (value as Arch) : undefined;
}

export function parseJson<T>(bytes: Buffer, where: string): T {
  try {
    const v = JSON.parse(bytes.toString('utf8')) as unknown;
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('not a JSON object');
    return v as T;
  } catch (err) {
    throw new UserError(`${where}: ${(err as Error).message}`);
  }
}

async function readAll(stream: Readable, limit: number, where: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      stream.destroy();
      throw new UserError(`${where}: larger than ${limit} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
