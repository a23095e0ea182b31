// Blobs: check, mount, upload. An upload is monolithic (POST, then PUT with the body) up to the
// client's chunk size and chunked above it (PATCH with Content-Range, then PUT); after a failure
// a chunked upload asks the registry how far it got (GET on the upload URL) and carries on from
// there, or starts over when the registry cannot tell.
import { UserError } from '../../errors.ts';
import { repositoryScope, mergeScopes } from './auth.ts';
import type { RegistryClient } from './client.ts';
import type { BlobInfo, ByteRange, ByteStream } from '../content.ts';
import { RegistryError } from './errors.ts';
import { header } from '../../http/index.ts';
import type { HttpResponse } from '../../http/index.ts';

export interface Repository {
  registry: string;
  repository: string;
}

export type BlobReader = (range?: ByteRange) => Promise<ByteStream>;

export type BlobOutcome = 'present' | 'mounted' | 'uploaded';

const OCTETS = 'application/octet-stream';

function where(target: Repository): string {
  return `${target.registry}/${target.repository}`;
}

/** The blob's size when the repository holds it, undefined when it does not. */
export async function blobSize(client: RegistryClient, target: Repository, digest: string, options: { retry?: boolean; push?: boolean } = {}): Promise<number | undefined> {
  const res = await client.request({
    operation: `check blob ${digest} in ${where(target)}`,
    registry: target.registry,
    method: 'HEAD',
    path: `/v2/${target.repository}/blobs/${digest}`,
    scopes: [repositoryScope(target.repository, options.push ? 'pull,push' : 'pull')],
    expect: [200, 404],
    retry: options.retry ?? true,
  });
  if (res.status === 404) return undefined;
  const length = header(res.headers, 'content-length');
  return length === undefined ? -1 : Number(length);
}

/** Makes the blob present in the repository: found, mounted from another repository of the same
 * registry (those given, then those the client saw it in), or uploaded. */
export async function pushBlob(
  client: RegistryClient,
  target: Repository,
  blob: BlobInfo,
  read: BlobReader,
  options: { mountFrom?: string[] } = {},
): Promise<BlobOutcome> {
  const done = (outcome: BlobOutcome): BlobOutcome => {
    client.remember(target.registry, target.repository, blob.digest);
    if (outcome === 'present') client.stats.blobsPresent++;
    else if (outcome === 'mounted') client.stats.blobsMounted++;
    else client.stats.blobsUploaded++;
    client.emit({ type: 'blob', repository: where(target), digest: blob.digest, size: blob.size, outcome });
    return outcome;
  };

  const size = await blobSize(client, target, blob.digest, { push: true });
  if (size !== undefined) {
    if (size >= 0 && size !== blob.size) {
      throw new UserError(`${where(target)} holds blob ${blob.digest} with ${size} bytes, but its descriptor says ${blob.size}: the descriptor is wrong`);
    }
    return done('present');
  }

  let session: URL | undefined;
  // Only the first candidate is asked (a refused mount opens an upload session): repositories
  // known to hold this very blob go before the general suggestions.
  const candidates = [...new Set([...client.locations(target.registry, blob.digest), ...(options.mountFrom ?? [])])].filter((r) => r !== target.repository);
  for (const from of candidates) {
    const res = await client.request({
      operation: `mount blob ${blob.digest} from ${target.registry}/${from} into ${where(target)}`,
      registry: target.registry,
      method: 'POST',
      path: `/v2/${target.repository}/blobs/uploads/`,
      query: { mount: blob.digest, from },
      body: new Uint8Array(0),
      scopes: mergeScopes([repositoryScope(target.repository, 'pull,push')], [repositoryScope(from, 'pull')]),
      expect: [201, 202],
    });
    if (res.status === 201) return done('mounted');
    // 202: no mount, but the registry opened an upload session for us instead.
    session = uploadLocation(res, target, 'mount');
    break;
  }

  await upload(client, target, blob, read, session);
  return done('uploaded');
}

function uploadLocation(res: HttpResponse, target: Repository, step: string): URL {
  const location = header(res.headers, 'location');
  if (!location) throw new UserError(`${where(target)}: the registry answered ${res.status} to the upload ${step} without a Location header`);
  return new URL(location, res.url);
}

const RESTARTS = 3;

/** Uploads a blob the repository lacks. Every step has the client's retry policy to itself: a
 * failed POST opens a new session, a failed monolithic PUT is sent again in a new session unless
 * the blob landed after all, and a failed PATCH asks the registry how many bytes it holds (the
 * upload status of the distribution spec) and carries on from there. */
async function upload(client: RegistryClient, target: Repository, blob: BlobInfo, read: BlobReader, session: URL | undefined): Promise<void> {
  const operation = `push blob ${blob.digest} to ${where(target)}`;
  const scopes = [repositoryScope(target.repository, 'pull,push')];
  const chunked = blob.size > client.chunkSize;
  let location = session;
  let minChunk = 0;
  let restarts = 0;

  const open = async () => {
    // Opening an upload changes nothing the registry serves: a retry just opens another.
    const res = await client.request({ operation: `${operation} (open an upload)`, registry: target.registry, method: 'POST', path: `/v2/${target.repository}/blobs/uploads/`, body: new Uint8Array(0), scopes, expect: [202] });
    location = uploadLocation(res, target, 'start');
    minChunk = Number(header(res.headers, 'oci-chunk-min-length') ?? 0) || 0;
  };
  const reopen = async () => {
    await cancel(client, target, location);
    location = undefined;
    await open();
  };
  /** The session is gone (or cannot say where it stands): drop it and open another. */
  const restart = async (why: string) => {
    if (++restarts > RESTARTS) throw new UserError(`${operation}: the registry lost the upload ${RESTARTS} times (last: ${why}); giving up`);
    await reopen();
  };
  const landed = async () => (await blobSize(client, target, blob.digest, { push: true })) !== undefined;
  const isLostSession = (err: unknown) =>
    err instanceof RegistryError && !err.hasCode('DIGEST_INVALID') && (err.status === 404 || err.hasCode('BLOB_UPLOAD_UNKNOWN') || err.hasCode('BLOB_UPLOAD_INVALID'));

  /** Bytes the registry holds for the session, or undefined when it cannot say (then start over). */
  const status = async (): Promise<number | undefined> => {
    const res = await client.request({ operation: `${operation} (upload status)`, registry: target.registry, method: 'GET', url: location!, scopes, expect: [204, 400, 404, 416] });
    const range = parseRange(header(res.headers, 'range'));
    // distribution answers 0-0 for both 0 and 1 byte received: ambiguous, so start over.
    if (res.status !== 204 || range === undefined || range === 0 || range > blob.size) return undefined;
    location = uploadLocation(res, target, 'status');
    return range;
  };

  try {
    if (!location) await open();
    if (!chunked) {
      await client.retrying(`${operation} (PUT)`, async (attempt) => {
        if (attempt > 1) {
          // The last PUT may have landed even though its answer was lost; else its session is
          // spent (the body was read), so a new one carries the next.
          if (await landed()) return;
          await reopen();
        }
        try {
          await finish(client, target, blob, location!, { length: blob.size, open: () => read() }, operation);
        } catch (err) {
          if (!isLostSession(err)) throw err;
          await restart((err as Error).message);
          await finish(client, target, blob, location!, { length: blob.size, open: () => read() }, operation);
        }
      });
      return;
    }

    let offset = 0;
    for (;;) {
      const chunk = Math.max(client.chunkSize, minChunk);
      while (offset < blob.size) {
        const from = offset;
        const to = Math.min(blob.size, from + chunk);
        // A chunk's attempts are its own: progress gives the next chunk a whole budget again.
        offset = await client.retrying(`${operation} (bytes ${from}-${to - 1} of ${blob.size})`, async (attempt) => {
          if (attempt > 1) {
            const held = await status();
            if (held === undefined) {
              await restart('the registry could not say how much of the upload it holds');
              return 0;
            }
            if (held !== from) return held;
          }
          let res: HttpResponse;
          try {
            res = await client.request({
              operation,
              registry: target.registry,
              method: 'PATCH',
              url: location!,
              headers: { 'content-type': OCTETS, 'content-range': `${from}-${to - 1}` },
              body: { length: to - from, open: () => read({ start: from, end: to }) },
              scopes,
              expect: [202, 416],
              retry: false,
              blobBody: true,
            });
          } catch (err) {
            if (!isLostSession(err)) throw err;
            await restart((err as Error).message);
            return 0;
          }
          location = uploadLocation(res, target, 'chunk');
          if (res.status === 416) {
            // Out of step with the registry: go on from where it stands.
            const held = await status();
            if (held !== undefined) return held;
            await restart('the registry refused a chunk and could not say where the upload stands');
            return 0;
          }
          const range = parseRange(header(res.headers, 'range'));
          const next = range !== undefined && range > 0 ? range : to;
          if (next > blob.size) throw new UserError(`${operation}: the registry reports ${next} bytes received, more than the blob's ${blob.size}`);
          return next;
        });
      }
      const done = await client.retrying(`${operation} (close the upload)`, async (attempt) => {
        if (attempt > 1 && (await landed())) return true;
        try {
          await finish(client, target, blob, location!, new Uint8Array(0), operation);
          return true;
        } catch (err) {
          if (!isLostSession(err)) throw err;
          if (await landed()) return true;
          await restart((err as Error).message);
          return false;
        }
      });
      if (done) return;
      offset = 0;
    }
  } catch (err) {
    await cancel(client, target, location);
    if (err instanceof RegistryError && err.hasCode('DIGEST_INVALID')) {
      throw new UserError(`${err.message}; the content read for ${blob.digest} does not hash to that digest: the source is corrupt`, { cause: err });
    }
    throw err;
  }
}

/** The closing PUT of an upload, with the whole blob (monolithic) or nothing (after chunks). */
async function finish(
  client: RegistryClient,
  target: Repository,
  blob: BlobInfo,
  location: URL,
  body: Uint8Array | { length: number; open: () => Promise<ByteStream> },
  operation: string,
): Promise<void> {
  const url = new URL(location);
  url.searchParams.set('digest', blob.digest);
  const res = await client.request({
    operation,
    registry: target.registry,
    method: 'PUT',
    url,
    headers: { 'content-type': OCTETS },
    body,
    scopes: [repositoryScope(target.repository, 'pull,push')],
    expect: [201, 204],
    retry: false,
    blobBody: body.length > 0,
  });
  const digest = header(res.headers, 'docker-content-digest');
  if (digest !== undefined && digest.split(':')[0] === blob.digest.split(':')[0] && digest !== blob.digest) {
    throw new UserError(`${operation}: the registry stored the blob as ${digest}`);
  }
}

/** Best effort: tell the registry to drop an abandoned upload session. */
async function cancel(client: RegistryClient, target: Repository, location: URL | undefined): Promise<void> {
  if (!location) return;
  try {
    await client.request({
      operation: `cancel upload to ${where(target)}`,
      registry: target.registry,
      method: 'DELETE',
      url: location,
      scopes: [repositoryScope(target.repository, 'pull,push')],
      expect: [200, 202, 204, 400, 404, 405],
      retry: false,
    });
  } catch {
    // The session expires on its own.
  }
}

/** Bytes received, from an upload's `Range: 0-<last>` (or `bytes=0-<last>`); 0 for `0-0`. */
export function parseRange(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const match = /^(?:bytes=)?0-(\d+)$/.exec(value.trim());
  if (!match) return undefined;
  const last = Number(match[1]);
  return last === 0 ? 0 : last + 1;
}
