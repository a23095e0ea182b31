// Opening a trunk: one streaming pass over the gzip-compressed tar (any number of gzip members),
// checking every entry as it goes by, optionally unpacking into a fresh directory. Nothing is
// trusted until the whole archive has been seen: symlinks are created last, after every one of
// them has been resolved inside the package.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, rm, symlink } from 'node:fs/promises';
import { finished } from 'node:stream/promises';
import { basename, dirname, join } from 'node:path';
import { createGunzip } from 'node:zlib';
import tar, { type Header } from 'tar-stream';
import { UserError } from '../../errors.ts';
import { limit, LIMITS, type LimitName } from '../../limits.ts';
import type { PackageMeta } from '../meta.ts';
import { badPathReason, comparePaths, resolveLink, symlinkAncestor, withImpliedDirs, type EntryType } from '../tree.ts';
import { DIGESTS, parseDigests } from './digests.ts';
import { checkFormatVersion, parseTrunkJson, TRUNK_JSON } from './json.ts';
import { formatPlatform, parseTrunkName, type TrunkName } from './name.ts';

export interface TrunkEntry {
  /** Path inside the package (below the top directory). */
  path: string;
  type: EntryType;
  mode: number;
  size: number;
  sha256?: string;
  linkname?: string;
  /** For `pgsql/bin` scripts that start with `#!cmd` (no slash): the interpreter to look up. */
  interpreter?: string;
}

export interface OpenedTrunk {
  file: string;
  /** Top directory = file name without `.trunk`. */
  name: string;
  parsedName: TrunkName;
  format: string;
  meta: PackageMeta;
  warnings: string[];
  /** Sorted by path; directories, files and symlinks. */
  entries: TrunkEntry[];
  digests: Map<string, string>;
  /** Of the .trunk file itself. */
  sha256: string;
  size: number;
}

export interface ReadTrunkOptions {
  /** Unpack into this directory, which must not exist yet (removed again if anything fails). */
  extractTo?: string;
  /** Called as soon as trunk.json has been read and checked; throw to stop early. */
  onMeta?: (meta: PackageMeta) => void | Promise<void>;
}

const SMALL_LIMIT = 16 << 20;

export async function readTrunk(file: string, options: ReadTrunkOptions = {}): Promise<OpenedTrunk> {
  const fail = (why: string): never => {
    throw new UserError(`${file}: ${why}`);
  };
  await checkMagic(file, fail);
  const expectedTop = basename(file).endsWith('.trunk') ? basename(file).slice(0, -'.trunk'.length) : undefined;
  const out = options.extractTo;
  if (out) {
    await mkdir(dirname(out), { recursive: true });
    await mkdir(out).catch((err: NodeJS.ErrnoException) =>
      fail(err.code === 'EEXIST' ? `cannot unpack into ${out}: it exists` : `cannot unpack into ${out}: ${err.message}`),
    );
  }

  const fileHash = createHash('sha256');
  let fileSize = 0;
  const input = createReadStream(file, { highWaterMark: 1 << 20 });
  input.on('data', (c) => {
    fileHash.update(c as Buffer);
    fileSize += (c as Buffer).length;
  });
  const gunzip = createGunzip();
  const extract = tar.extract();
  gunzip.on('error', (err) => extract.destroy(new UserError(`${file}: not a valid gzip stream (${err.message})`)));
  input.on('error', (err) => extract.destroy(err));
  input.pipe(gunzip).pipe(extract as unknown as NodeJS.WritableStream);

  let top: string | undefined;
  const entries = new Map<string, TrunkEntry>();
  let meta: PackageMeta | undefined;
  let format = '';
  const warnings: string[] = [];
  let digests: Map<string, string> | undefined;
  // Bounds on what the archive may expand to, checked on each header before its data is read.
  let count = 0;
  let expanded = 0;
  const over = (name: LimitName, found: string): never =>
    fail(`${found}; the limit is ${limit(name)} ${LIMITS[name].what} (raise it with --limit ${name}=N)`);
  // Errors thrown by the caller's onMeta pass through as they are; the archive's own are located.
  let fromCallback: unknown;

  try {
    for await (const entry of extract as unknown as AsyncIterable<AsyncIterable<Buffer> & { header: Header }>) {
      const h = entry.header;
      if (++count > limit('trunk-files')) over('trunk-files', `more than ${limit('trunk-files')} entries`);
      const size = h.size ?? 0;
      if (size > limit('trunk-file-bytes')) over('trunk-file-bytes', `entry ${JSON.stringify(h.name)} is ${size} bytes`);
      expanded += size;
      if (expanded > limit('trunk-bytes')) over('trunk-bytes', `the entries up to ${JSON.stringify(h.name)} expand to ${expanded} bytes`);
      let name = h.name;
      if (h.type === 'directory') name = name.replace(/\/$/, '');
      const bad = badPathReason(name);
      if (bad) fail(`entry ${JSON.stringify(h.name)}: ${bad}`);
      const slash = name.indexOf('/');
      const first = slash < 0 ? name : name.slice(0, slash);
      if (top === undefined) {
        top = first;
        if (expectedTop !== undefined && top !== expectedTop)
          fail(`top directory "${top}" does not match the file name (expected "${expectedTop}")`);
      } else if (first !== top) {
        fail(`entry "${name}" is outside the top directory "${top}"`);
      }
      const what = `entry "${name}"`;
      if (slash < 0) {
        if (h.type !== 'directory') fail(`${what}: the top of a trunk must be a directory`);
        await drain(entry);
        continue;
      }
      const rel = name.slice(slash + 1);
      if (entries.has(rel)) fail(`${what} appears twice`);
      if ((h.mode & 0o7000) !== 0) fail(`${what}: setuid, setgid or sticky bit set (mode ${(h.mode & 0o7777).toString(8)})`);
      const e: TrunkEntry = { path: rel, type: 'file', mode: h.mode & 0o777, size: 0 };
      switch (h.type) {
        case 'directory':
          e.type = 'directory';
          if (out) {
            await mkdir(join(out, rel), { recursive: true, mode: 0o755 }).catch((err: Error) =>
              fail(`${what}: cannot unpack: ${err.message}`),
            );
          }
          await drain(entry);
          break;
        case 'symlink':
          e.type = 'symlink';
          e.linkname = h.linkname ?? '';
          if (e.linkname === '' || e.linkname.startsWith('/')) fail(`${what}: symlink to an absolute or empty path "${e.linkname}"`);
          await drain(entry);
          break;
        case 'file': {
          const keep = rel === TRUNK_JSON || rel === DIGESTS;
          const dest = out ? join(out, rel) : undefined;
          const r = await readFile(entry, dest, e.mode & 0o755, keep, rel.startsWith('pgsql/bin/'), what, fail);
          e.size = r.size;
          e.sha256 = r.sha256;
          if (r.interpreter) e.interpreter = r.interpreter;
          if (rel === TRUNK_JSON) {
            const text = r.data!.toString('utf8');
            const version = (() => {
              try {
                return (JSON.parse(text) as { trunk?: unknown }).trunk;
              } catch {
                return undefined;
              }
            })();
            const check = checkFormatVersion(version);
            if (check.error) fail(check.error);
            if (check.warning) warnings.push(check.warning);
            format = String(version);
            try {
              meta = parseTrunkJson(text);
            } catch (err) {
              fail(`trunk.json: ${(err as Error).message}`);
            }
            checkNameAgainstMeta(top!, meta!, fail);
            try {
              await options.onMeta?.(meta!);
            } catch (err) {
              fromCallback = err;
              throw err;
            }
          } else if (rel === DIGESTS) {
            const parsed = parseDigests(r.data!.toString('utf8'));
            if ('error' in parsed) fail(`digests: ${parsed.error}`);
            else digests = parsed.digests;
          }
          break;
        }
        case 'link':
          fail(`${what}: hard link (not allowed in a trunk)`);
          break;
        case 'character-device':
        case 'block-device':
          fail(`${what}: device file (not allowed in a trunk)`);
          break;
        case 'fifo':
          fail(`${what}: fifo (not allowed in a trunk)`);
          break;
        default:
          fail(`${what}: unsupported entry type "${h.type}"`);
      }
      entries.set(rel, e);
    }
    await finished(input);

    if (top === undefined) fail('empty archive');
    if (!meta) fail('no trunk.json');
    if (!digests) fail('no digests file');
    checkTree(entries, digests!, fail);
    if (out) {
      for (const e of entries.values()) {
        if (e.type === 'symlink') await symlink(e.linkname!, join(out, e.path));
      }
    }
  } catch (err) {
    input.destroy();
    if (out) await rm(out, { recursive: true, force: true });
    // tar-stream's own errors (a stream that ends inside an entry, a damaged header).
    if (err !== fromCallback && !(err instanceof UserError) && err instanceof Error && !(err instanceof TypeError) && !(err instanceof RangeError))
      throw new UserError(`${file}: damaged tar stream (${err.message}); the file is truncated or not a trunk`, { cause: err });
    throw err;
  }

  const list = [...entries.values()].sort((a, b) => comparePaths(a.path, b.path));
  return {
    file,
    name: top!,
    parsedName: parseTrunkName(top!),
    format,
    meta: meta!,
    warnings,
    entries: list,
    digests: digests!,
    sha256: fileHash.digest('hex'),
    size: fileSize,
  };
}

/** Every file listed with its digest, nothing listed that is not there, symlinks inside. */
function checkTree(entries: Map<string, TrunkEntry>, digests: Map<string, string>, fail: (why: string) => never): void {
  const view = withImpliedDirs(entries);
  const covered = new Set<string>();
  for (const e of entries.values()) {
    const via = symlinkAncestor(view, e.path);
    if (via) fail(`entry "${e.path}" lies below the symlink "${via}"`);
    if (e.path === DIGESTS) continue;
    let sum: string | undefined;
    if (e.type === 'file') sum = e.sha256;
    if (e.type === 'symlink') {
      const r = resolveLink(view, e.path);
      if (!r.ok) fail(`symlink "${e.path}": ${r.reason}`);
      else if (r.type === 'file') sum = entries.get(r.path)!.sha256;
    }
    if (sum === undefined) continue;
    const listed = digests.get(e.path);
    if (listed === undefined) fail(`"${e.path}" is not listed in digests`);
    if (listed !== sum) fail(`"${e.path}" does not match its digest (SHA-256 ${sum}, digests says ${listed})`);
    covered.add(e.path);
  }
  for (const path of digests.keys()) {
    if (!covered.has(path)) fail(`"${path}" is listed in digests but missing from the archive`);
  }
}

function checkNameAgainstMeta(top: string, meta: PackageMeta, fail: (why: string) => never): void {
  let n: TrunkName;
  try {
    n = parseTrunkName(top);
  } catch (err) {
    return fail((err as Error).message);
  }
  const fromMeta = {
    package: meta.name,
    version: meta.version,
    pg: meta.postgres.major,
    platform: formatPlatform(meta.platform.os === 'any' ? {} : { os: meta.platform.os, osVersion: meta.platform.osVersion, arch: meta.platform.arch }),
  };
  const fromName = { package: n.package, version: n.version, pg: n.pg, platform: formatPlatform(n) };
  for (const k of ['package', 'version', 'pg', 'platform'] as const) {
    if (fromMeta[k] !== fromName[k]) fail(`trunk.json says ${k} ${fromMeta[k]}, the name "${top}" says ${fromName[k]}`);
  }
}

async function readFile(
  entry: AsyncIterable<Buffer>,
  dest: string | undefined,
  mode: number,
  keep: boolean,
  script: boolean,
  what: string,
  fail: (why: string) => never,
): Promise<{ size: number; sha256: string; data?: Buffer; interpreter?: string }> {
  const hash = createHash('sha256');
  const kept: Buffer[] = [];
  let size = 0;
  let head: Buffer | undefined;
  let fh;
  if (dest) {
    try {
      await mkdir(dirname(dest), { recursive: true });
      fh = await open(dest, 'wx', 0o600);
      await fh.chmod(mode);
    } catch (err) {
      await fh?.close();
      return fail(`${what}: cannot unpack: ${(err as Error).message}`);
    }
  }
  try {
    for await (const chunk of entry) {
      hash.update(chunk);
      size += chunk.length;
      if (keep) {
        if (size > SMALL_LIMIT) fail(`${what}: larger than ${SMALL_LIMIT} bytes`);
        kept.push(chunk);
      }
      if (script && head === undefined) head = chunk.subarray(0, 256);
      if (fh) {
        let off = 0;
        while (off < chunk.length) off += (await fh.write(chunk, off)).bytesWritten;
      }
    }
  } finally {
    await fh?.close();
  }
  const m = head ? /^#!([A-Za-z0-9._+-]+)(?=[ \t\r\n]|$)/.exec(head.toString('latin1')) : null;
  return {
    size,
    sha256: hash.digest('hex'),
    ...(keep ? { data: Buffer.concat(kept) } : {}),
    ...(m ? { interpreter: m[1]! } : {}),
  };
}

async function drain(entry: AsyncIterable<Buffer>): Promise<void> {
  for await (const _ of entry) {
    // directories and links carry no data; consume the stream so the next entry comes
  }
}

async function checkMagic(file: string, fail: (why: string) => never): Promise<void> {
  let fh;
  try {
    fh = await open(file, 'r');
  } catch (err) {
    return fail((err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message);
  }
  const buf = Buffer.alloc(4);
  try {
    await fh.read(buf, 0, 4, 0);
  } finally {
    await fh.close();
  }
  if (buf[0] === 0x1f && buf[1] === 0x8b) return;
  if (buf.toString('latin1') === 'PK\x03\x04') fail('a ZIP trunk; this reader takes gzip-compressed tar trunks only');
  fail('not a trunk (expected a gzip-compressed tar)');
}

/** trunk.json alone: stops reading as soon as it has been checked (it is the first file in
 * trunks written here). Validates the format version and the name, not the digests. */
export async function readTrunkMeta(file: string): Promise<PackageMeta> {
  const stop = new Error('stop');
  let meta: PackageMeta | undefined;
  try {
    await readTrunk(file, {
      onMeta: (m) => {
        meta = m;
        throw stop;
      },
    });
  } catch (err) {
    if (err !== stop) throw err;
  }
  return meta!;
}
