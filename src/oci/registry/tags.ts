// Listing a repository's tags, following the Link header across pages.
import { UserError } from '../../errors.ts';
import { repositoryScope } from './auth.ts';
import type { Repository } from './blobs.ts';
import type { RegistryClient } from './client.ts';
import { header } from '../../http/index.ts';

export async function listTags(client: RegistryClient, target: Repository): Promise<string[]> {
  const operation = `list tags of ${target.registry}/${target.repository}`;
  const tags: string[] = [];
  let url: URL | undefined;
  for (let page = 0; page < 1000; page++) {
    const res = await client.request({
      operation,
      registry: target.registry,
      method: 'GET',
      ...(url ? { url } : { path: `/v2/${target.repository}/tags/list` }),
      scopes: [repositoryScope(target.repository, 'pull')],
      expect: [200, 404],
    });
    if (res.status === 404) return tags;
    let body: { tags?: unknown };
    try {
      body = JSON.parse(res.body.toString('utf8')) as { tags?: unknown };
    } catch {
      throw new UserError(`${operation}: the answer is not JSON`);
    }
    if (Array.isArray(body.tags)) tags.push(...body.tags.filter((t): t is string => typeof t === 'string'));
    const next = /<([^>]+)>\s*;\s*rel="?next"?/.exec(header(res.headers, 'link') ?? '');
    if (!next) return tags;
    url = new URL(next[1]!, res.url);
  }
  return tags;
}
