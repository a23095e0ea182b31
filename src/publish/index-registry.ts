// index.json in an OCI registry, for a farm whose only shared storage is the registry it pushes to:
// a repository of its own (HOST/NAMESPACE/trunkfarm-index by default), whose tag `latest` is an
// OCI artifact with index.json as its one layer, so `oras pull HOST/NAMESPACE/trunkfarm-index`
// fetches the file.
//
// A registry has no conditional write: a PUT to a tag is last-writer-wins, so checking the tag's
// digest before moving it leaves a window in which a racing publish's entries would be lost.
// Instead each write is a new record, an artifact under a tag of its own (`rec-TIME-RANDOM`)
// holding the whole merged index, and the stored index is the merge of every record there. A write
// (1) pushes its record, (2) deletes the records it read, which its own now covers, and
// (3) lists the records again: one it did not read means another publish wrote meanwhile, and the
// write answers 'conflict', so that updateIndex reads again (both records) and writes a record that
// covers both. A record is only ever deleted by a writer whose own record, already stored, includes
// it, so no entry is lost whatever the interleaving; racing writers at worst leave two records,
// which the next read merges. Where the registry does not delete manifests, records pile up (each
// costs a request per read) but stay correct.
//
// `latest` is what tools outside trunkfarm read: after each publish it is made the merge of the
// records, then checked against them again, until it matches (another publish may have moved it).
import { createHash, randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { UserError } from '../errors.ts';
import type { PublishedIndexFile } from '../types.ts';
import { emptyIndex, mergeIndex, parseIndex, serializeIndex } from './index-merge.ts';
import type { IndexStore } from './index-store.ts';
import { createClient, deleteManifest, getManifest, listTags, parseReference, pushBlob, putManifest, readRegistryBlob, RegistryError, type RegistryClient, type Repository, sha256Digest, EMPTY_JSON, MEDIA } from '../oci/index.ts';

export const INDEX_ARTIFACT_TYPE = 'application/vnd.trunkfarm.index.v1+json';
const RECORD = /^rec-\d{13}-[0-9a-f]{12}$/;
const RECORD_OF = 'dev.trunkfarm.index.record';
/** The exit status of a publish whose entries are stored but whose `latest` did not move. */
export const LATEST_NOT_MOVED = 3;
const VERSION_OF = 'dev.trunkfarm.index.version';

export interface RegistryIndexStoreOptions {
  /** `HOST/NAMESPACE/NAME` of the repository the store owns (its tags are the store's). */
  repository: string;
  /** The tag tools outside trunkfarm pull. Default `latest`. */
  tag?: string;
  client?: RegistryClient;
  /** Rounds of making `latest` match the records before leaving it to the next publish. Default 5. */
  latestRounds?: number;
  log?: (line: string) => void;
}

interface StoredRecord {
  tag: string;
  digest: string;
  index: PublishedIndexFile;
}

export function registryIndexStore(options: RegistryIndexStoreOptions): IndexStore & { close(): void } {
  const ref = parseReference(options.repository);
  if (ref.tag || ref.digest) throw new UserError(`index repository ${options.repository}: name a repository, without a tag or digest`, { exitCode: 2 });
  const repo: Repository = { registry: ref.registry, repository: ref.repository };
  const latestTag = options.tag ?? 'latest';
  const location = `${repo.registry}/${repo.repository}:${latestTag}`;
  const client = options.client ?? createClient();
  const log = options.log ?? (() => {});
  let cannotDelete = false;

  const recordTags = async () => (await listTags(client, repo)).filter((t) => RECORD.test(t)).sort();

  async function readArtifact(reference: string): Promise<{ digest: string; index: PublishedIndexFile; annotations: Record<string, string> } | undefined> {
    const manifest = await getManifest(client, repo, reference);
    if (!manifest) return undefined;
    const doc = JSON.parse(manifest.bytes.toString('utf8')) as { layers?: { mediaType: string; digest: string; size: number }[]; annotations?: Record<string, string> };
    const layer = doc.layers?.find((l) => l.mediaType === INDEX_ARTIFACT_TYPE);
    if (!layer) throw new UserError(`${repo.registry}/${repo.repository}:${reference} holds no ${INDEX_ARTIFACT_TYPE} layer: is this repository trunkfarm's index?`);
    const bytes = await readRegistryBlob(client, repo, layer);
    return { digest: manifest.digest, index: parseIndex(bytes.toString('utf8'), `${repo.registry}/${repo.repository}:${reference}`), annotations: doc.annotations ?? {} };
  }

  /** Every record, read from one listing; a record deleted while being read means a newer one
   * covers it, which a fresh listing shows. */
  async function readRecords(): Promise<StoredRecord[]> {
    for (let round = 0; round < 10; round++) {
      const records: StoredRecord[] = [];
      let vanished = false;
      for (const tag of await recordTags()) {
        const found = await readArtifact(tag);
        if (!found) {
          vanished = true;
          break;
        }
        records.push({ tag, digest: found.digest, index: found.index });
      }
      if (!vanished) return records;
      // Racing publishes delete the records they merged: back off (with jitter) so that this
      // reader does not keep listing in lockstep with their deletes.
      await sleep(Math.min(2000, 25 * 2 ** round) * (0.5 + Math.random()));
    }
    throw new UserError(`index ${location}: its records kept changing while being read; run the publish again`);
  }

  function merged(records: StoredRecord[]): PublishedIndexFile {
    if (records.length === 0) return emptyIndex();
    const index = records.reduce((acc, r) => mergeIndex(acc, r.index.entries), emptyIndex());
    return { ...index, generatedAt: records.at(-1)!.index.generatedAt };
  }

  const versionOf = (records: StoredRecord[]) => (records.length === 0 ? null : records.map((r) => `${r.tag}@${r.digest}`).join(' '));

  /** Pushes `index` as an artifact manifest with these annotations under `tag`; returns its digest. */
  async function pushArtifact(index: PublishedIndexFile, tag: string, annotations: Record<string, string>): Promise<string> {
    const bytes = Buffer.from(serializeIndex(index));
    const layer = { mediaType: INDEX_ARTIFACT_TYPE, digest: sha256Digest(bytes), size: bytes.length, annotations: { 'org.opencontainers.image.title': 'index.json' } };
    await pushBlob(client, repo, { digest: EMPTY_JSON.digest, size: EMPTY_JSON.size }, async () => [Buffer.from('{}')]);
    await pushBlob(client, repo, layer, async (range) => [range ? bytes.subarray(range.start, range.end) : bytes]);
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MEDIA.manifest,
        artifactType: INDEX_ARTIFACT_TYPE,
        config: { mediaType: EMPTY_JSON.mediaType, digest: EMPTY_JSON.digest, size: EMPTY_JSON.size, data: EMPTY_JSON.data },
        layers: [layer],
        annotations: { 'org.opencontainers.image.created': index.generatedAt, ...annotations },
      }),
    );
    return (await putManifest(client, repo, tag, manifest, MEDIA.manifest)).digest;
  }

  async function remove(digest: string): Promise<void> {
    if (cannotDelete) return;
    // Credentials that may push but not delete refuse with 401 or 403: the record written is
    // whole, so the index is kept as on a registry that deletes nothing.
    const outcome = await deleteManifest(client, repo, digest).catch((err: unknown) => {
      if (err instanceof RegistryError && (err.status === 401 || err.status === 403)) return 'refused' as const;
      throw err;
    });
    if (outcome === 'unsupported' || outcome === 'refused') {
      cannotDelete = true;
      log(`index ${location}: ${outcome === 'refused' ? 'these credentials may not delete manifests' : 'the registry does not delete manifests'}, so index records accumulate under rec-* tags (each read costs a request per record)`);
    }
  }

  return {
    location,

    async read() {
      const records = await readRecords();
      return { index: merged(records), version: versionOf(records) };
    },

    async write(index: PublishedIndexFile, expectedVersion: string | null) {
      const expected = (expectedVersion ?? '').split(' ').filter(Boolean).map((v) => ({ tag: v.slice(0, v.indexOf('@')), digest: v.slice(v.indexOf('@') + 1) }));
      // Milliseconds first, so that tags sort as the records were made (ties broken at random).
      const tag = `rec-${String(Date.now()).padStart(13, '0')}-${randomBytes(6).toString('hex')}`;
      await pushArtifact(index, tag, { [RECORD_OF]: tag });
      for (const r of expected) await remove(r.digest);
      const read = new Set(expected.map((r) => r.tag));
      const others = (await recordTags()).filter((t) => t !== tag && !read.has(t));
      return others.length > 0 ? 'conflict' : 'ok';
    },

    async finish() {
      // `latest`: the merge of the records, checked again after each move.
      const rounds = options.latestRounds ?? 5;
      for (let round = 0; ; round++) {
        const records = await readRecords();
        if (records.length === 0) return;
        const version = createHash('sha256').update(versionOf(records)!).digest('hex');
        const current = await readArtifact(latestTag).catch(() => undefined);
        if (current?.annotations[VERSION_OF] === version) return;
        if (round >= rounds) break;
        try {
          await pushArtifact(merged(records), latestTag, { [VERSION_OF]: version });
        } catch (err) {
          // A publish racing this one can make the registry refuse the manifest (seen: a blob
          // it had just answered for reported unknown). The records are complete whatever
          // happens to `latest`: read them again and retry, as when another publish moved it.
          if (err instanceof RegistryError && err.status === 400) {
            log(`index ${location}: ${latestTag} was not moved (${err.message}); trying again`);
            continue;
          }
          // Anything else (the registry kept failing, the deadline): the entries are stored in
          // the records, which trunkfarm reads; only what tools outside it pull lags behind.
          throw new UserError(
            `index ${location}: the entries of this publish are stored (records under rec-* tags, which trunkfarm plan and publish read), but ${latestTag} was not moved: ${(err as Error).message}. ` +
              `Tools that pull ${latestTag} see the index before this publish until it moves: run the publish again (it uploads nothing new and moves ${latestTag}).`,
            { cause: err, exitCode: LATEST_NOT_MOVED },
          );
        }
      }
      log(`index ${location}: other publishes kept changing the index; ${latestTag} is left to the next one`);
    },

    close: () => {
      if (!options.client) client.close();
    },
  };
}
