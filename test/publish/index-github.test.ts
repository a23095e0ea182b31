// The GitHub index store (index.json on the gh-pages branch, through the contents API) and
// updateIndex racing against it. GitHub's API cannot be reached from the test machine, so these
// tests drive the real octokit client (createGitHubClient, with its throttling and retry plugins)
// against test/support/github-standin.ts, a loopback HTTP stand-in of exactly the endpoints used,
// whose contents PUT is a real compare-and-swap on the blob sha (409 when stale).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGitHubClient, type GitHubClient } from '../../src/github/api.ts';
import { githubIndexStore, mergeIndex, parseIndex, updateIndex } from '../../src/publish/index-store.ts';
import { gitBlobSha, startGitHubStandin, type GitHubStandin, type StandinOptions } from '../support/github-standin.ts';
import { entry } from './index-entries.ts';

const OWNER = 'farm';
const REPO = 'packages';

let standin: GitHubStandin;
let logs: string[];

async function setup(options: StandinOptions = {}) {
  standin = await startGitHubStandin(options);
}
const client = (): GitHubClient => createGitHubClient({ token: standin.token, baseUrl: standin.apiUrl, log: (l) => logs.push(l) });
const store = (github = client()) => githubIndexStore(github, { owner: OWNER, repo: REPO });
const stored = () => {
  const f = standin.file(OWNER, REPO, 'gh-pages', 'index.json');
  return f && parseIndex(f.bytes.toString('utf8'), 'stand-in');
};
const puts = () => standin.state.requests.filter((r) => r.method === 'PUT' && /\/contents\//.test(r.path));

beforeEach(() => {
  logs = [];
});
afterEach(async () => {
  await standin?.close();
});

describe('githubIndexStore', () => {
  it('creates index.json on gh-pages, then updates it by blob sha', async () => {
    await setup();
    const s = store();
    expect(s.location).toBe('farm/packages@gh-pages:index.json');
    const first = await updateIndex(s, [entry('k1')]);
    expect(first).toMatchObject({ written: true, conflicts: 0 });
    const f = standin.file(OWNER, REPO, 'gh-pages', 'index.json')!;
    expect(f.commits).toEqual(['Update index.json (1 entries)']);
    expect(stored()!.entries.map((e) => e.key)).toEqual(['k1']);

    const read = await s.read();
    expect(read.version).toBe(gitBlobSha(f.bytes));
    expect(read.index).toEqual(first.index);

    await updateIndex(s, [entry('k2', 'pg_cron', '1.6.4')]);
    expect(stored()!.entries.map((e) => e.key)).toEqual(['k2', 'k1']);
    expect(puts().map((r) => r.status)).toEqual([201, 200]);

    // Nothing new: nothing written.
    expect((await updateIndex(s, [entry('k1')])).written).toBe(false);
    expect(puts()).toHaveLength(2);
  });

  it('a write from a stale read is a conflict (409), not retried by the client', async () => {
    await setup();
    const a = store();
    const b = store();
    await updateIndex(a, [entry('k1')]);
    const seenByA = await a.read();
    await updateIndex(b, [entry('k2', 'other')]);

    expect(await a.write(mergeIndex(seenByA.index, [entry('k3', 'third')]), seenByA.version)).toBe('conflict');
    expect(puts().map((r) => r.status)).toEqual([201, 200, 409]);
    expect(stored()!.entries.map((e) => e.key)).toEqual(['k2', 'k1']);
  });

  it('creating a file that appeared meanwhile is a conflict too (422, sha not supplied)', async () => {
    await setup();
    const a = store();
    const empty = await a.read();
    expect(empty.version).toBeNull();
    await updateIndex(store(), [entry('k1')]);
    expect(await a.write(mergeIndex(empty.index, [entry('k2', 'other')]), null)).toBe('conflict');
    expect(puts().map((r) => r.status)).toEqual([201, 422]);
  });

  it('two publishes racing on the index keep every entry of both', async () => {
    await setup();
    // Both first reads are answered together: both writers start from the same version.
    standin.hold({ method: 'GET', path: /\/contents\/index\.json$/ }, 2);
    const publish = async (id: string) => {
      const s = store(client());
      let conflicts = 0;
      for (let batch = 0; batch < 3; batch++) {
        const entries = Array.from({ length: 10 }, (_, i) => entry(`${id}-${batch}-${i}`, `ext-${id}`, `1.${batch}.${i}`));
        conflicts += (await updateIndex(s, entries, { backoffMs: 20 })).conflicts;
      }
      return conflicts;
    };
    const conflicts = await Promise.all([publish('a'), publish('b')]);

    const keys = new Set(stored()!.entries.map((e) => e.key));
    expect(keys.size).toBe(60);
    for (const id of ['a', 'b']) for (let b = 0; b < 3; b++) for (let i = 0; i < 10; i++) expect(keys.has(`${id}-${b}-${i}`)).toBe(true);
    const total = conflicts[0]! + conflicts[1]!;
    expect(total).toBeGreaterThan(0);
    expect(puts().filter((r) => r.status === 409 || r.status === 422)).toHaveLength(total);
    expect(puts().filter((r) => r.status < 300)).toHaveLength(6);
  }, 60_000);

  it('reads an index too big to inline through the git blob API', async () => {
    await setup({ inlineContentLimit: 2000 });
    const entries = Array.from({ length: 20 }, (_, i) => entry(`k${i}`, 'pgvector', `0.${i}.0`));
    await updateIndex(store(), entries);
    expect(standin.file(OWNER, REPO, 'gh-pages', 'index.json')!.bytes.length).toBeGreaterThan(2000);

    const read = await store().read();
    expect(read.index.entries).toHaveLength(20);
    expect(standin.count({ method: 'GET', path: /\/git\/blobs\/[0-9a-f]{40}$/ })).toBe(1);
  });

  it('retries a rate-limited read, and says so when the token is refused', async () => {
    await setup();
    standin.fault({ method: 'GET', path: /\/contents\// }, 'rate-limit');
    await updateIndex(store(), [entry('k1')]);
    expect(logs.some((l) => /rate limit on GET .*contents/.test(l))).toBe(true);

    const refused = githubIndexStore(createGitHubClient({ token: 'wrong', baseUrl: standin.apiUrl }), { owner: OWNER, repo: REPO });
    await expect(updateIndex(refused, [entry('k2')])).rejects.toThrow(
      'GitHub: reading farm/packages@gh-pages:index.json failed with 401: Bad credentials: the token was refused',
    );
  });
});
