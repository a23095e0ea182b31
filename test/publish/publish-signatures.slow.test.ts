// Signatures through `trunkfarm publish`, on a real build (pgTAP for PostgreSQL 17, shared with the
// other build tests) pushed to a real registry on loopback (Debian's docker-registry), with its
// trunks attached to releases of a loopback stand-in of GitHub's API (test/support/github-standin.ts,
// through the real octokit client: GitHub cannot be reached from here).
// - The image gets provenance of its own: subject the image (index) digest, named by the image
//   reference, attached as a referrer; `trunkfarm verify docker://REF` and cosign both accept it.
// - With an ECDSA key (whose signatures differ each time), a second publish keeps every signature:
//   nothing is uploaded to the registry or the release, and nothing is attached twice.
// - A publish with another key signs again, and the bytes of the new signature are counted.
// - With --oci-layout, the image's bundle is a referrer inside the layout: `verify oci:DIR:TAG`.
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseIndex } from '../../src/publish/index.ts';
import { createClient, getManifest, listReferrers, parseReference } from '../../src/oci/index.ts';
import { generateKeyFiles } from '../../src/sign/index.ts';
import type { IndexEntry } from '../../src/types.ts';
import { EMPTY_TRUSTED_ROOT, requireCosign } from '../sign/helpers/cosign.ts';
import { buildShared } from '../support/build.ts';
import { runCli } from '../support/cli.ts';
import { startGitHubStandin, type GitHubStandin } from '../support/github-standin.ts';
import { type RegistryServer, startRegistry } from '../oci/registry-server.ts';

const MINUTES = 60_000;
const BUNDLE_TYPE = 'application/vnd.dev.sigstore.bundle.v0.3+json';
let registry: RegistryServer;
let standin: GitHubStandin;
let tmp: string;
let out: string;
let jobDir: string;
let farm: { privatePath: string; publicPath: string };
let other: { privatePath: string; publicPath: string };
let env: Record<string, string | undefined>;

beforeAll(async () => {
  registry = await startRegistry();
  standin = await startGitHubStandin();
  tmp = await mkdtemp(path.join(tmpdir(), 'trunkfarm-publish-sign-'));
  // A copy of the shared build: publishing writes beside the trunk, which other files also read.
  const built = await buildShared('pgtap', 17);
  out = path.join(tmp, 'out');
  jobDir = path.join(out, path.basename(built.dir));
  await cp(built.dir, jobDir, { recursive: true });
  await rm(path.join(jobDir, `${built.result.artifacts!.trunk.file}.sigstore.json`), { force: true });
  farm = await generateKeyFiles(path.join(tmp, 'farm'), 'ecdsa-p256');
  other = await generateKeyFiles(path.join(tmp, 'other'), 'ecdsa-p256');
  env = { GITHUB_TOKEN: standin.token, GITHUB_API_URL: standin.apiUrl, GITHUB_ACTIONS: undefined, ACTIONS_ID_TOKEN_REQUEST_URL: undefined, GITHUB_RUN_ID: undefined };
}, 30 * MINUTES);

afterAll(async () => {
  await registry?.stop();
  await standin?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

async function entry(): Promise<IndexEntry> {
  const index = parseIndex(await readFile(path.join(out, 'index.json'), 'utf8'), 'index.json');
  expect(index.entries).toHaveLength(1);
  return index.entries[0]!;
}

/** The bundles attached to the image, as the registry lists them (its referrers tag fallback). */
async function referrers(e: IndexEntry, subject = e.oci!.digest) {
  const ref = parseReference(e.oci!.ref);
  const client = createClient();
  try {
    const repo = { registry: ref.registry, repository: ref.repository };
    const found = await listReferrers(client, repo, subject, { artifactType: BUNDLE_TYPE });
    return await Promise.all(found.map(async (d) => JSON.parse((await getManifest(client, repo, d.digest))!.bytes.toString('utf8')) as { layers: { size: number }[] }));
  } finally {
    client.close();
  }
}

const publish = (...args: string[]) => runCli(['publish', out, '--registry', `${registry.host}/farm`, ...args], env);

describe('publish: signatures of images, and signatures kept', () => {
  it('signs the image itself, and a second publish with the same ECDSA key uploads nothing', async () => {
    const first = await publish('--key', farm.privatePath, '--github-release', 'acme/farm');
    expect(first.stderr).not.toMatch(/internal error/);
    expect(first.code).toBe(0);
    const e = await entry();
    expect(await referrers(e)).toHaveLength(1);

    // The image's own statement: subject its index digest, named by the image reference.
    const image = `docker://${e.oci!.ref}`;
    const verified = await runCli(['verify', image, '--key', farm.publicPath], env);
    expect(verified.stderr).toBe('');
    expect(verified.code).toBe(0);
    expect(verified.stdout).toContain(`ok 2 subject: sha256 ${e.oci!.digest.slice(7)} is subject ${registry.host}/farm/pgtap`);
    expect(verified.stdout).toMatch(/ok 5 contents: \d+ manifests served by digest and \d+ blobs present/);
    expect((await runCli(['verify', image, '--key', other.publicPath], env)).stderr).toMatch(/^trunkfarm: verification failed at step 3 \(signature\)/);

    // cosign finds the same bundle as a referrer and accepts it for the image digest.
    await requireCosign();
    const root = path.join(tmp, 'empty-root.json');
    await writeFile(root, JSON.stringify(EMPTY_TRUSTED_ROOT));
    const cosign = (pub: string) =>
      promisify(execFile)(
        'cosign',
        ['verify-attestation', '--new-bundle-format', '--key', pub, '--insecure-ignore-tlog', '--trusted-root', root, '--allow-http-registry', '--type', 'slsaprovenance1', `${e.oci!.ref.replace(/:[^:/]+$/, '')}@${e.oci!.digest}`],
        { env: { ...process.env, HOME: tmp, TUF_ROOT: path.join(tmp, 'tuf') } },
      ).then(
        () => true,
        () => false,
      );
    expect(await cosign(farm.publicPath)).toBe(true);
    expect(await cosign(other.publicPath)).toBe(false);

    // Again: the trunk's bundle and the image's are kept, so the release and the registry get nothing.
    const trunkBundle = path.join(jobDir, `${e.trunk!.file}.sigstore.json`);
    const bundleBefore = await readFile(trunkBundle, 'utf8');
    const sentBefore = standin.state.uploadedBytes;
    const again = await publish('--key', farm.privatePath, '--github-release', 'acme/farm');
    expect(again.stderr).not.toMatch(/different content/);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^0 bytes uploaded/m);
    expect(standin.state.uploadedBytes).toBe(sentBefore);
    expect(await readFile(trunkBundle, 'utf8')).toBe(bundleBefore);
    expect(await referrers(e)).toHaveLength(1);
  }, 15 * MINUTES);

  it('signs again with another key, and counts the signature bytes it uploads', async () => {
    const r = await publish('--key', other.privatePath);
    expect(r.code).toBe(0);
    const e = await entry();
    const attached = await referrers(e);
    expect(attached).toHaveLength(2);
    // The image was there already: what was sent is a new bundle for each image signed (its own
    // index, and what its tags name: the trunk artifact), each beside the earlier key's.
    const sent = Number(/^(\d+) bytes uploaded/m.exec(r.stdout)?.[1]);
    const subjects = [...r.stderr.matchAll(/^signed \S+@(sha256:[0-9a-f]{64}) \(key\)$/gm)].map((m) => m[1]!);
    expect(subjects).toContain(e.oci!.digest);
    let sums = [0];
    for (const subject of subjects) {
      const pair = (await referrers(e, subject)).map((m) => m.layers[0]!.size);
      expect(pair).toHaveLength(2);
      sums = sums.flatMap((s) => pair.map((size) => s + size));
    }
    expect(sums).toContain(sent);
    expect((await runCli(['verify', `docker://${e.oci!.ref}`, '--key', other.publicPath], env)).code).toBe(0);
  }, 10 * MINUTES);

  it('with --oci-layout, attaches the image bundle inside the layout, once', async () => {
    const layouts = path.join(tmp, 'layouts');
    const args = ['publish', out, '--oci-layout', layouts, '--key', farm.privatePath, '--index', path.join(layouts, 'index.json')];
    expect((await runCli(args, env)).code).toBe(0);
    const e = parseIndex(await readFile(path.join(layouts, 'index.json'), 'utf8'), 'index.json').entries[0]!;
    const tag = e.oci!.ref.slice(e.oci!.ref.lastIndexOf(':') + 1);
    const spec = `oci:${path.join(layouts, 'pgtap')}:${tag}`;
    const verified = await runCli(['verify', spec, '--key', farm.publicPath], env);
    expect(verified.stderr).toBe('');
    expect(verified.code).toBe(0);
    expect(verified.stdout).toMatch(/ok 5 contents: \d+ manifests and \d+ blobs of the image match their digests/);

    // The same entries after a second publish (merging may reorder them): no second bundle.
    const entries = async () =>
      ((JSON.parse(await readFile(path.join(layouts, 'pgtap', 'index.json'), 'utf8')) as { manifests: { digest: string; artifactType?: string }[] }).manifests).sort((a, b) => a.digest.localeCompare(b.digest));
    const before = await entries();
    expect(before.filter((d) => d.artifactType === BUNDLE_TYPE)).toHaveLength(1);
    expect((await runCli(args, env)).code).toBe(0);
    expect(await entries()).toEqual(before);
  }, 10 * MINUTES);
});
