// index.json as a file on a branch of a GitHub repository, by default gh-pages, which GitHub Pages
// serves: the status page and `trunkfarm plan --index` fetch it from there. The contents API is a
// real compare-and-swap: its PUT carries the blob sha the writer read, and GitHub refuses it (409,
// or 422 "sha wasn't supplied" when the file appeared meanwhile) if the file has moved on. Each
// write is one commit, so the file changes whole. The branch must exist (an orphan gh-pages branch
// with one empty commit will do); the file is created on the first write.
import { UserError } from '../errors.ts';
import type { PublishedIndexFile } from '../types.ts';
import { githubError, githubMessage, isRequestError, type GitHubClient } from '../github/api.ts';
import { emptyIndex, parseIndex, serializeIndex } from './index-merge.ts';
import type { IndexStore } from './index-store.ts';

export interface GitHubIndexStoreOptions {
  owner: string;
  repo: string;
  /** Default gh-pages. */
  branch?: string;
  /** Path in the branch. Default index.json. */
  path?: string;
  /** Commit message. Default: `Update index.json (N entries)`. */
  message?: (index: PublishedIndexFile) => string;
}

export function githubIndexStore(github: GitHubClient, options: GitHubIndexStoreOptions): IndexStore {
  const { owner, repo } = options;
  const branch = options.branch ?? 'gh-pages';
  const file = options.path ?? 'index.json';
  const location = `${owner}/${repo}@${branch}:${file}`;
  const message = options.message ?? ((index: PublishedIndexFile) => `Update ${file} (${index.entries.length} entries)`);

  return {
    location,

    async read() {
      let data;
      try {
        ({ data } = await github.rest.repos.getContent({ owner, repo, path: file, ref: branch }));
      } catch (err) {
        if (isRequestError(err, 404)) return { index: emptyIndex(), version: null };
        githubError(err, `reading ${location}`);
      }
      if (Array.isArray(data) || data.type !== 'file') throw new UserError(`${location} is a ${Array.isArray(data) ? 'directory' : data.type}, not a file`);
      let base64 = data.content;
      // Files over 1 MB come without content: fetch the blob the sha names, which keeps the
      // content and the version read from the same commit.
      if (data.encoding !== 'base64' || (!base64 && data.size > 0)) {
        try {
          base64 = (await github.rest.git.getBlob({ owner, repo, file_sha: data.sha })).data.content;
        } catch (err) {
          githubError(err, `reading ${location} (blob ${data.sha})`);
        }
      }
      return { index: parseIndex(Buffer.from(base64, 'base64').toString('utf8'), location), version: data.sha };
    },

    async write(index: PublishedIndexFile, expectedVersion: string | null) {
      try {
        await github.rest.repos.createOrUpdateFileContents({
          owner,
          repo,
          path: file,
          branch,
          message: message(index),
          content: Buffer.from(serializeIndex(index)).toString('base64'),
          ...(expectedVersion === null ? {} : { sha: expectedVersion }),
        });
        return 'ok';
      } catch (err) {
        if (isRequestError(err, 409)) return 'conflict';
        if (isRequestError(err, 422) && /\bsha\b/i.test(githubMessage(err))) return 'conflict';
        githubError(err, `writing ${location}`);
      }
    },
  };
}
