import { createRequire as __trunkfarmRequire } from 'node:module';
const require = __trunkfarmRequire(import.meta.url);
import {
  emptyIndex,
  mergeIndex,
  parseIndex,
  serializeIndex
} from "./chunk-OKZLGS3U.js";
import {
  EMPTY_JSON,
  MEDIA,
  RegistryError,
  createClient,
  deleteManifest,
  getManifest,
  listTags,
  parseReference,
  pushBlob,
  putManifest,
  readBlob2 as readBlob,
  sha256Digest
} from "./chunk-MAW6PNMB.js";
import {
  UserError
} from "./chunk-YUDCMAJG.js";

// src/publish/index-registry.ts
import { createHash, randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
var INDEX_ARTIFACT_TYPE = "application/vnd.trunkfarm.index.v1+json";
var RECORD = /^rec-\d{13}-[0-9a-f]{12}$/;
var RECORD_OF = "dev.trunkfarm.index.record";
var LATEST_NOT_MOVED = 3;
var VERSION_OF = "dev.trunkfarm.index.version";
function registryIndexStore(options) {
  const ref = parseReference(options.repository);
  if (ref.tag || ref.digest) throw new UserError(`index repository ${options.repository}: name a repository, without a tag or digest`, { exitCode: 2 });
  const repo = { registry: ref.registry, repository: ref.repository };
  const latestTag = options.tag ?? "latest";
  const location = `${repo.registry}/${repo.repository}:${latestTag}`;
  const client = options.client ?? createClient();
  const log = options.log ?? (() => {
  });
  let cannotDelete = false;
  const recordTags = async () => (await listTags(client, repo)).filter((t) => RECORD.test(t)).sort();
  async function readArtifact(reference) {
    const manifest = await getManifest(client, repo, reference);
    if (!manifest) return void 0;
    const doc = JSON.parse(manifest.bytes.toString("utf8"));
    const layer = doc.layers?.find((l) => l.mediaType === INDEX_ARTIFACT_TYPE);
    if (!layer) throw new UserError(`${repo.registry}/${repo.repository}:${reference} holds no ${INDEX_ARTIFACT_TYPE} layer: is this repository trunkfarm's index?`);
    const bytes = await readBlob(client, repo, layer);
    return { digest: manifest.digest, index: parseIndex(bytes.toString("utf8"), `${repo.registry}/${repo.repository}:${reference}`), annotations: doc.annotations ?? {} };
  }
  async function readRecords() {
    for (let round = 0; round < 10; round++) {
      const records = [];
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
      await sleep(Math.min(2e3, 25 * 2 ** round) * (0.5 + Math.random()));
    }
    throw new UserError(`index ${location}: its records kept changing while being read; run the publish again`);
  }
  function merged(records) {
    if (records.length === 0) return emptyIndex();
    const index = records.reduce((acc, r) => mergeIndex(acc, r.index.entries), emptyIndex());
    return { ...index, generatedAt: records.at(-1).index.generatedAt };
  }
  const versionOf = (records) => records.length === 0 ? null : records.map((r) => `${r.tag}@${r.digest}`).join(" ");
  async function pushArtifact(index, tag, annotations) {
    const bytes = Buffer.from(serializeIndex(index));
    const layer = { mediaType: INDEX_ARTIFACT_TYPE, digest: sha256Digest(bytes), size: bytes.length, annotations: { "org.opencontainers.image.title": "index.json" } };
    await pushBlob(client, repo, { digest: EMPTY_JSON.digest, size: EMPTY_JSON.size }, async () => [Buffer.from("{}")]);
    await pushBlob(client, repo, layer, async (range) => [range ? bytes.subarray(range.start, range.end) : bytes]);
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: MEDIA.manifest,
        artifactType: INDEX_ARTIFACT_TYPE,
        config: { mediaType: EMPTY_JSON.mediaType, digest: EMPTY_JSON.digest, size: EMPTY_JSON.size, data: EMPTY_JSON.data },
        layers: [layer],
        annotations: { "org.opencontainers.image.created": index.generatedAt, ...annotations }
      })
    );
    return (await putManifest(client, repo, tag, manifest, MEDIA.manifest)).digest;
  }
  async function remove(digest) {
    if (cannotDelete) return;
    const outcome = await deleteManifest(client, repo, digest).catch((err) => {
      if (err instanceof RegistryError && (err.status === 401 || err.status === 403)) return "refused";
      throw err;
    });
    if (outcome === "unsupported" || outcome === "refused") {
      cannotDelete = true;
      log(`index ${location}: ${outcome === "refused" ? "these credentials may not delete manifests" : "the registry does not delete manifests"}, so index records accumulate under rec-* tags (each read costs a request per record)`);
    }
  }
  return {
    location,
    async read() {
      const records = await readRecords();
      return { index: merged(records), version: versionOf(records) };
    },
    async write(index, expectedVersion) {
      const expected = (expectedVersion ?? "").split(" ").filter(Boolean).map((v) => ({ tag: v.slice(0, v.indexOf("@")), digest: v.slice(v.indexOf("@") + 1) }));
      const tag = `rec-${String(Date.now()).padStart(13, "0")}-${randomBytes(6).toString("hex")}`;
      await pushArtifact(index, tag, { [RECORD_OF]: tag });
      for (const r of expected) await remove(r.digest);
      const read = new Set(expected.map((r) => r.tag));
      const others = (await recordTags()).filter((t) => t !== tag && !read.has(t));
      return others.length > 0 ? "conflict" : "ok";
    },
    async finish() {
      const rounds = options.latestRounds ?? 5;
      for (let round = 0; ; round++) {
        const records = await readRecords();
        if (records.length === 0) return;
        const version = createHash("sha256").update(versionOf(records)).digest("hex");
        const current = await readArtifact(latestTag).catch(() => void 0);
        if (current?.annotations[VERSION_OF] === version) return;
        if (round >= rounds) break;
        try {
          await pushArtifact(merged(records), latestTag, { [VERSION_OF]: version });
        } catch (err) {
          if (err instanceof RegistryError && err.status === 400) {
            log(`index ${location}: ${latestTag} was not moved (${err.message}); trying again`);
            continue;
          }
          throw new UserError(
            `index ${location}: the entries of this publish are stored (records under rec-* tags, which trunkfarm plan and publish read), but ${latestTag} was not moved: ${err.message}. Tools that pull ${latestTag} see the index before this publish until it moves: run the publish again (it uploads nothing new and moves ${latestTag}).`,
            { cause: err, exitCode: LATEST_NOT_MOVED }
          );
        }
      }
      log(`index ${location}: other publishes kept changing the index; ${latestTag} is left to the next one`);
    },
    close: () => {
      if (!options.client) client.close();
    }
  };
}

export {
  INDEX_ARTIFACT_TYPE,
  LATEST_NOT_MOVED,
  registryIndexStore
};
