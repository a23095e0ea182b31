// Pulling into an OCI image layout: the manifest a reference names, everything it reaches, and an
// index.json entry naming it by its tag. Blobs land under a temporary name and are renamed once
// their digest checks out; index.json is written last.
import { mkdir, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { IncomingMessage } from '../../http/index.ts';
import { UserError } from '../../errors.ts';
import { repositoryScope } from './auth.ts';
import type { Repository } from './blobs.ts';
import { createClient } from './client.ts';
import type { ClientOptions, RegistryClient } from './client.ts';
import type { Descriptor } from '../descriptor.ts';
import { digestLike } from '../digest.ts';
import { RegistryError } from './errors.ts';
import { saveVerified } from '../save.ts';
import { writeAtomic } from '../../files/index.ts';
import { REF_NAME } from '../descriptor.ts';
import { addUntagged, blobPath, initLayout, setRef } from '../image-layout.ts';
import { getManifest, parseManifest } from './manifests.ts';
import { formatReference, parseReference } from './reference.ts';
import type { Reference } from './reference.ts';

export interface PullOptions extends ClientOptions {
  client?: RegistryClient;
}

/** Copies the manifest (or index) `reference` names, with all it reaches, into the OCI layout
 * `dir` (created if needed), and lists it in index.json under its tag. */
export async function pullToLayout(reference: string | Reference, dir: string, options: PullOptions = {}): Promise<Descriptor> {
  const ref = typeof reference === 'string' ? parseReference(reference) : reference;
  const wanted = ref.digest ?? ref.tag;
  if (!wanted) throw new UserError(`pull ${formatReference(ref)}: name a tag or a digest`);
  const repo: Repository = { registry: ref.registry, repository: ref.repository };
  const client = options.client ?? createClient(options);
  try {
    await initLayout(dir);
    const top = await getManifest(client, repo, wanted);
    if (!top) throw new UserError(`pull ${formatReference(ref)}: no such manifest`);
    if (ref.digest && top.digest !== ref.digest) throw new UserError(`pull ${formatReference(ref)}: got ${top.digest}`);
    const done = new Map<string, Promise<void>>();

    const fetchBlob = (blob: Descriptor): Promise<void> => {
      let pending = done.get(blob.digest);
      if (!pending) {
        pending = client.slot(() => download(client, repo, blob, dir));
        done.set(blob.digest, pending);
      }
      return pending;
    };
    const fetchManifest = async (descriptor: Descriptor, bytes?: Buffer): Promise<void> => {
      if (done.has(descriptor.digest)) return done.get(descriptor.digest);
      const pending = (async () => {
        const body = bytes ?? (await getManifest(client, repo, descriptor.digest))?.bytes;
        if (!body) throw new UserError(`pull ${formatReference(ref)}: ${ref.registry}/${ref.repository} lacks manifest ${descriptor.digest}`);
        const parsed = parseManifest(body, descriptor.mediaType, `manifest ${descriptor.digest} of ${formatReference(ref)}`);
        await Promise.all([...parsed.children.map((c) => fetchManifest(c)), ...parsed.blobs.map(fetchBlob)]);
        const file = blobPath(dir, descriptor.digest);
        await mkdir(dirname(file), { recursive: true });
        await writeAtomic(file, body);
      })();
      done.set(descriptor.digest, pending);
      return pending;
    };
    const descriptor: Descriptor = { mediaType: top.mediaType, digest: top.digest, size: top.size };
    await fetchManifest(descriptor, top.bytes);
    if (ref.tag) await setRef(dir, ref.tag, descriptor);
    else await addUntagged(dir, descriptor);
    return { ...descriptor, ...(ref.tag ? { annotations: { [REF_NAME]: ref.tag } } : {}) };
  } finally {
    if (!options.client) client.close();
  }
}

async function download(client: RegistryClient, repo: Repository, blob: Descriptor, dir: string): Promise<void> {
  const file = blobPath(dir, blob.digest);
  const existing = await stat(file).catch(() => undefined);
  if (existing?.size === blob.size) return;
  await fetching(client, repo, blob, (res, operation) => saveVerified(res, file, blob, operation));
}

/** A small blob's bytes (an index document, a signature bundle), checked against its digest. */
export async function readBlob(client: RegistryClient, repo: Repository, blob: { digest: string; size: number }, limit = 64 << 20): Promise<Buffer> {
  if (blob.size > limit) throw new UserError(`blob ${blob.digest} in ${repo.registry}/${repo.repository} is ${blob.size} bytes, more than the ${limit} this reads into memory`);
  return fetching(client, repo, blob, async (res, operation) => {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of res as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > blob.size) throw new UserError(`${operation}: the registry sent more than the ${blob.size} bytes the descriptor says`);
      chunks.push(chunk);
    }
    const bytes = Buffer.concat(chunks);
    const got = digestLike(blob.digest, bytes);
    if (bytes.length !== blob.size || got !== blob.digest) throw new UserError(`${operation}: the registry sent ${bytes.length} bytes that hash to ${got}`);
    return bytes;
  });
}

/** GETs a blob and hands the answer to `consume`, retrying when the body breaks off. */
async function fetching<T>(client: RegistryClient, repo: Repository, blob: { digest: string }, consume: (res: IncomingMessage, operation: string) => Promise<T>): Promise<T> {
  const operation = `pull blob ${blob.digest} from ${repo.registry}/${repo.repository}`;
  return client.retrying(operation, async () => {
    const res = await client.stream({
      operation,
      registry: repo.registry,
      method: 'GET',
      path: `/v2/${repo.repository}/blobs/${blob.digest}`,
      scopes: [repositoryScope(repo.repository, 'pull')],
      expect: [200],
    });
    try {
      return await consume(res, operation);
    } catch (err) {
      if (err instanceof UserError) throw err;
      // The body broke off mid-way: a network failure, worth another try.
      const url = new URL(`/v2/${repo.repository}/blobs/${blob.digest}`, `http://${repo.registry}`);
      throw new RegistryError({ operation, method: 'GET', url, network: (err as Error).message || String(err), cause: err });
    }
  });
}
