// Pushing a whole layout: every blob, then every manifest by digest (children before the index
// that lists them), then a check that the registry serves all of it, then what each tag will name
// (a merged index is pushed by digest too), then the caller's `beforeTags` (publish attaches the
// signatures there), and only then the tags, all of them at once. A push that fails before the
// tags leaves them where they were; one cut short while moving them says which moved. Running it
// again finishes the job, skipping what is already there.
import { UserError } from '../../errors.ts';
import { REF_NAME } from '../descriptor.ts';
import { blobSize, pushBlob } from './blobs.ts';
import type { BlobOutcome, Repository } from './blobs.ts';
import { createClient, diffStats } from './client.ts';
import type { ClientOptions, RegistryClient, TransferStats } from './client.ts';
import { readAllBlob } from '../content.ts';
import type { ContentSource } from '../content.ts';
import type { Descriptor } from '../descriptor.ts';
import { openLayout } from '../image-layout.ts';
import { sha256Digest } from '../digest.ts';
import { getManifest, headManifest, parseManifest, putManifest } from './manifests.ts';
import type { ParsedManifest, PutResult } from './manifests.ts';
import { isIndexType, isManifestType } from '../media-types.ts';
import { ensureReferrer } from './referrers.ts';
import { formatReference, isTag, parseReference } from './reference.ts';
import type { Reference } from './reference.ts';


export interface PushOptions extends ClientOptions {
  /** Tags for the layout's manifest (the layout must then list exactly one). Without them, each
   * manifest is tagged with its `org.opencontainers.image.ref.name` annotation, if any. */
  tags?: string[];
  /** A client to reuse (its tokens, and what it knows of where blobs live); one is made otherwise. */
  client?: RegistryClient;
  /** Repositories of the same registry to mount blobs from before uploading them. */
  mountFrom?: string[];
  /** When a tag already names an image index and the pushed manifest is an index too, tag their
   * union instead (ours replacing the same platform, theirs keeping its annotations): the images
   * of one version that separate jobs or runs build per architecture end up under one tag. */
  mergeIndexTags?: boolean;
  /** Called with what every tag is about to name, after all of it is on the registry and before
   * any tag moves (again for a tag whose merge had to be redone because another push moved it).
   * A failure here moves no tag. */
  beforeTags?: (targets: TagTarget[]) => Promise<void>;
}

/** A tag and the manifest or index it is about to name. */
export interface TagTarget {
  tag: string;
  descriptor: Descriptor;
}

export interface PushedManifest {
  digest: string;
  mediaType: string;
  size: number;
  /** `HOST/REPO@DIGEST` */
  reference: string;
  tags: string[];
}

export interface PushResult {
  /** `HOST/REPO` */
  repository: string;
  manifests: PushedManifest[];
  /** What this push sent and skipped. */
  stats: TransferStats;
}

interface Node {
  descriptor: Descriptor;
  bytes: Buffer;
  parsed: ParsedManifest;
}

interface Top {
  descriptor: Descriptor;
  tags: string[];
}

/** Pushes every manifest and index of an OCI layout (a directory, or any ContentSource) to
 * `HOST/NAMESPACE/NAME`, with their blobs, then moves the tags. Idempotent. */
export async function pushLayout(layout: string | ContentSource, target: string | Reference, options: PushOptions = {}): Promise<PushResult> {
  const ref = typeof target === 'string' ? parseReference(target) : target;
  const source = typeof layout === 'string' ? await openLayout(layout) : layout;
  const name = typeof layout === 'string' ? `OCI layout ${layout}` : 'content source';
  const repo: Repository = { registry: ref.registry, repository: ref.repository };
  const tops = selectTops(await source.manifests(), ref, options.tags, name);
  const tree = await readTree(source, tops.map((t) => t.descriptor), name);
  await checkBlobsPresent(source, tree, name);

  const client = options.client ?? createClient(options);
  const before = { ...client.stats };
  try {
    const confirmed = new Set<string>(); // seen present by a HEAD in this run
    const accepted = new Set<string>(); // stored by this run: HEAD them again before tagging
    const blobs = new Map<string, Promise<void>>();
    const manifests = new Map<string, Promise<void>>();
    const where = `${repo.registry}/${repo.repository}`;

    const pushBlobOnce = (blob: Descriptor): Promise<void> => {
      let pending = blobs.get(blob.digest);
      if (!pending) {
        pending = client
          .slot(() => pushBlob(client, repo, blob, (range) => source.readBlob(blob.digest, range), options.mountFrom ? { mountFrom: options.mountFrom } : {}))
          .then((outcome: BlobOutcome) => void (outcome === 'present' ? confirmed : accepted).add(blob.digest));
        blobs.set(blob.digest, pending);
      }
      return pending;
    };

    const pushNode = (descriptor: Descriptor): Promise<void> => {
      let pending = manifests.get(descriptor.digest);
      if (!pending) {
        pending = (async () => {
          const node = tree.get(descriptor.digest)!;
          await settleAll([...node.parsed.children.map(pushNode), ...node.parsed.blobs.map(pushBlobOnce)]);
          let pushed: PutResult | undefined;
          if (await headManifest(client, repo, descriptor.digest, { push: true })) {
            confirmed.add(descriptor.digest);
            client.stats.manifestsPresent++;
            client.emit({ type: 'manifest', repository: where, digest: descriptor.digest, outcome: 'present' });
          } else {
            pushed = await putManifest(client, repo, descriptor.digest, node.bytes, node.parsed.mediaType);
            accepted.add(descriptor.digest);
            client.stats.manifestsPushed++;
            client.emit({ type: 'manifest', repository: where, digest: descriptor.digest, outcome: 'pushed' });
          }
          if (node.parsed.subject) {
            const referrer: Descriptor = {
              mediaType: node.parsed.mediaType,
              digest: descriptor.digest,
              size: node.bytes.length,
              ...(node.parsed.artifactType ? { artifactType: node.parsed.artifactType } : {}),
              ...(node.parsed.annotations ? { annotations: node.parsed.annotations } : {}),
            };
            await ensureReferrer(client, repo, node.parsed.subject.digest, referrer, pushed);
          }
        })();
        manifests.set(descriptor.digest, pending);
      }
      return pending;
    };

    // Everything first, every tag after: a failure anywhere before moves no tag at all.
    await settleAll(tops.map((t) => pushNode(t.descriptor)));
    await verify(client, repo, tree, tops, confirmed, accepted);
    const merge = options.mergeIndexTags ?? false;
    const plans = await Promise.all(tops.flatMap((top) => top.tags.map((tag) => planTag(client, repo, tag, tree.get(top.descriptor.digest)!, merge))));
    await options.beforeTags?.(plans.map(targetOf));
    await moveTags(client, repo, plans, merge, options.beforeTags);

    return {
      repository: where,
      manifests: tops.map((t) => ({
        digest: t.descriptor.digest,
        mediaType: tree.get(t.descriptor.digest)!.parsed.mediaType,
        size: t.descriptor.size,
        reference: formatReference({ ...repo, digest: t.descriptor.digest }),
        tags: t.tags,
      })),
      stats: diffStats(client.stats, before),
    };
  } finally {
    if (!options.client) client.close();
  }
}

/** Like Promise.all, but waits for every task to end before rejecting, so nothing is left running. */
async function settleAll(tasks: Promise<void>[]): Promise<void> {
  const results = await Promise.allSettled(tasks);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

/** What a tag will name: the pushed manifest, or (merging) the union of the index it names now
 * and ours, pushed by digest here so that it can be signed before the tag moves. */
interface TagPlan {
  tag: string;
  target: { digest: string; bytes: Buffer; mediaType: string };
  /** It names that already. */
  unchanged: boolean;
  /** The pushed manifest the tag is for. */
  node: Node;
}

function targetOf(plan: TagPlan): TagTarget {
  return { tag: plan.tag, descriptor: { mediaType: plan.target.mediaType, digest: plan.target.digest, size: plan.target.bytes.length } };
}

async function planTag(client: RegistryClient, repo: Repository, tag: string, node: Node, merge: boolean): Promise<TagPlan> {
  const current = await headManifest(client, repo, tag, { push: true });
  const ours = { digest: node.descriptor.digest, bytes: node.bytes, mediaType: node.parsed.mediaType };
  if (current?.digest === ours.digest) return { tag, target: ours, unchanged: true, node };
  if (merge && current && isIndexType(current.mediaType) && isIndexType(node.parsed.mediaType)) {
    const merged = await mergedIndex(client, repo, current.digest, node);
    if (merged) {
      if (merged.digest === current.digest) return { tag, target: merged, unchanged: true, node };
      await putManifest(client, repo, merged.digest, merged.bytes, merged.mediaType);
      return { tag, target: merged, unchanged: false, node };
    }
  }
  return { tag, target: ours, unchanged: false, node };
}

/** Moves every tag that needs it at once (the registry has no transaction over several tags; this
 * keeps the window in which some moved and others did not as short as it can be). Merging reads
 * the tag and writes it back, and the registry has no conditional write: the tag is read again
 * afterwards, and merged (and announced to `beforeTags`) again if another push moved it meanwhile.
 * When some fail, the error names the tags that moved and those that did not. */
async function moveTags(client: RegistryClient, repo: Repository, plans: TagPlan[], merge: boolean, beforeTags: PushOptions['beforeTags']): Promise<void> {
  const where = `${repo.registry}/${repo.repository}`;
  const moved: string[] = [];
  const results = await Promise.allSettled(
    plans.map(async (first) => {
      let plan = first;
      for (let round = 0; round < 5; round++) {
        if (plan.unchanged) {
          client.stats.tagsUnchanged++;
          client.emit({ type: 'tag', repository: where, tag: plan.tag, digest: plan.target.digest, outcome: 'unchanged' });
          return;
        }
        await putManifest(client, repo, plan.tag, plan.target.bytes, plan.target.mediaType);
        if (!merge || (await headManifest(client, repo, plan.tag, { push: true }))?.digest === plan.target.digest) {
          moved.push(plan.tag);
          client.stats.tagsMoved++;
          client.emit({ type: 'tag', repository: where, tag: plan.tag, digest: plan.target.digest, outcome: 'moved' });
          return;
        }
        plan = await planTag(client, repo, plan.tag, plan.node, merge);
        if (!plan.unchanged) await beforeTags?.([targetOf(plan)]);
      }
      throw new UserError(`tag ${where}:${plan.tag} kept changing while this push merged its image into it; run it again`);
    }),
  );
  const failed = results.flatMap((r, i) => (r.status === 'rejected' ? [{ tag: plans[i]!.tag, reason: r.reason as unknown }] : []));
  if (failed.length === 0) return;
  const reason = failed[0]!.reason;
  const movedText = moved.length > 0 ? `moved ${moved.sort().join(', ')}` : 'moved none';
  throw new UserError(
    `tags of ${where} cut short: ${movedText}; not moved ${failed.map((f) => f.tag).sort().join(', ')} (${reason instanceof Error ? reason.message : String(reason)}); each moved tag names a complete image${beforeTags ? ' that went through every check before it' : ''}; run again to move the rest`,
    { cause: reason },
  );
}

/** The index the tag names (`current`) with the pushed index's manifests added, each replacing
 * the one of the same platform; children of `current` the registry no longer holds are left out,
 * so the result never names a missing manifest. Undefined when `current` cannot be read. */
async function mergedIndex(client: RegistryClient, repo: Repository, current: string, node: Node): Promise<{ digest: string; bytes: Buffer; mediaType: string } | undefined> {
  const theirs = await getManifest(client, repo, current, { push: true });
  if (!theirs) return undefined;
  const doc = JSON.parse(theirs.bytes.toString('utf8')) as { manifests?: Descriptor[]; annotations?: Record<string, string> } & Record<string, unknown>;
  const ours = JSON.parse(node.bytes.toString('utf8')) as { manifests: Descriptor[]; annotations?: Record<string, string> };
  const key = (d: Descriptor) => (d.platform ? `${d.platform.os}/${d.platform.architecture}/${d.platform.variant ?? ''}/${d.platform['os.version'] ?? ''}` : d.digest);
  const mine = new Set(ours.manifests.map(key));
  const kept: Descriptor[] = [];
  for (const d of doc.manifests ?? []) {
    if (mine.has(key(d))) continue;
    if (await headManifest(client, repo, d.digest, { push: true })) kept.push(d);
  }
  const manifests = [...kept, ...ours.manifests].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  const merged = { ...doc, manifests, ...(doc.annotations ?? !ours.annotations ? {} : { annotations: ours.annotations }) };
  const bytes = Buffer.from(JSON.stringify(merged));
  return { digest: sha256Digest(bytes), bytes, mediaType: theirs.mediaType };
}

/** Before any tag moves, every blob and manifest the tagged manifests reach must have been seen
 * by a HEAD in this run: those found present were, those stored now are checked again. */
async function verify(client: RegistryClient, repo: Repository, tree: Map<string, Node>, tops: Top[], confirmed: Set<string>, accepted: Set<string>): Promise<void> {
  if (!tops.some((t) => t.tags.length > 0)) return;
  const blobs = new Set<string>();
  const manifests = new Set<string>();
  const walk = (digest: string) => {
    if (manifests.has(digest)) return;
    manifests.add(digest);
    const node = tree.get(digest)!;
    for (const b of node.parsed.blobs) blobs.add(b.digest);
    for (const c of node.parsed.children) walk(c.digest);
  };
  for (const top of tops) if (top.tags.length > 0) walk(top.descriptor.digest);
  const missing: string[] = [];
  const checks = [
    ...[...blobs].filter((d) => !confirmed.has(d) || accepted.has(d)).map((d) => client.slot(async () => {
      if ((await blobSize(client, repo, d, { push: true })) === undefined) missing.push(`blob ${d}`);
    })),
    ...[...manifests].filter((d) => !confirmed.has(d) || accepted.has(d)).map(async (d) => {
      if (!(await headManifest(client, repo, d, { push: true }))) missing.push(`manifest ${d}`);
    }),
  ];
  await settleAll(checks);
  if (missing.length > 0) {
    throw new UserError(
      `not moving any tag in ${repo.registry}/${repo.repository}: the registry accepted but does not serve ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ` and ${missing.length - 5} more` : ''}; run the publish again`,
    );
  }
}

/** The layout's top-level manifests to push, and the tags each gets. */
export function selectTops(entries: Descriptor[], ref: Reference, tags: string[] | undefined, name: string): Top[] {
  if (entries.length === 0) throw new UserError(`${name} lists no manifests in its index.json`);
  const byDigest = new Map<string, Top>();
  for (const entry of entries) {
    if (!isManifestType(entry.mediaType)) throw new UserError(`${name}: index.json lists ${entry.digest} of media type ${entry.mediaType}, which is not a manifest or an index`);
    const top = byDigest.get(entry.digest) ?? { descriptor: entry, tags: [] };
    const tag = tagOfRefName(entry.annotations?.[REF_NAME]);
    if (tag && !top.tags.includes(tag)) top.tags.push(tag);
    byDigest.set(entry.digest, top);
  }
  let tops = [...byDigest.values()];
  if (ref.digest) {
    tops = tops.filter((t) => t.descriptor.digest === ref.digest);
    if (tops.length === 0) throw new UserError(`${name} has no manifest ${ref.digest}`);
  }
  const explicit = [...new Set([...(tags ?? []), ...(ref.tag ? [ref.tag] : [])])];
  for (const tag of explicit) if (!isTag(tag)) throw new UserError(`${JSON.stringify(tag)} is not a valid tag (letters, digits, _ . -; at most 128; not starting with . or -)`);
  if (explicit.length > 0) {
    if (tops.length > 1) {
      throw new UserError(`${name} holds ${tops.length} manifests: tags given on the command line apply to one; name each with the ${REF_NAME} annotation instead`);
    }
    return [{ descriptor: tops[0]!.descriptor, tags: explicit }];
  }
  return tops;
}

/** A ref.name annotation is a tag (`v1`) or a full reference ending in one. */
function tagOfRefName(value: string | undefined): string | undefined {
  if (!value) return undefined;
  if (isTag(value)) return value;
  const tail = value.slice(value.lastIndexOf('/') + 1);
  const colon = tail.lastIndexOf(':');
  return colon >= 0 && isTag(tail.slice(colon + 1)) ? tail.slice(colon + 1) : undefined;
}

/** Reads every manifest reachable from the tops, each checked against its digest. */
async function readTree(source: ContentSource, tops: Descriptor[], name: string): Promise<Map<string, Node>> {
  const tree = new Map<string, Node>();
  const visit = async (descriptor: Descriptor, path: string[]): Promise<void> => {
    if (tree.has(descriptor.digest)) return;
    if (path.includes(descriptor.digest)) throw new UserError(`${name}: index ${descriptor.digest} contains itself`);
    if (!isManifestType(descriptor.mediaType)) {
      throw new UserError(`${name}: ${path.at(-1) ?? 'index.json'} lists ${descriptor.digest} of media type ${descriptor.mediaType} as a manifest`);
    }
    const bytes = await readAllBlob(source, descriptor);
    const parsed = parseManifest(bytes, descriptor.mediaType, `${name}: manifest ${descriptor.digest}`);
    tree.set(descriptor.digest, { descriptor, bytes, parsed });
    for (const child of parsed.children) await visit(child, [...path, descriptor.digest]);
  };
  for (const top of tops) await visit(top, []);
  return tree;
}

/** Fails before pushing anything when the source lacks a blob or holds one of another size. */
async function checkBlobsPresent(source: ContentSource, tree: Map<string, Node>, name: string): Promise<void> {
  const held = new Map((await source.listBlobs()).map((b) => [b.digest, b.size]));
  const problems: string[] = [];
  for (const node of tree.values()) {
    for (const blob of node.parsed.blobs) {
      const size = held.get(blob.digest);
      if (size === undefined) problems.push(`${blob.digest} (${blob.mediaType}) is missing`);
      else if (size !== blob.size) problems.push(`${blob.digest} is ${size} bytes, its descriptor says ${blob.size}`);
    }
  }
  const unique = [...new Set(problems)];
  if (unique.length > 0) {
    throw new UserError(`${name} is incomplete: ${unique.slice(0, 5).join('; ')}${unique.length > 5 ? `; and ${unique.length - 5} more` : ''}`);
  }
}
