// The workflow's OIDC identity: whether this run has one, and its token and claims (keyless
// signing and provenance read them).
import { UserError } from '../errors.ts';

/** True inside a GitHub Actions job whose workflow granted `id-token: write`. */
export function hasActionsIdToken(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.GITHUB_ACTIONS === 'true' && !!env.ACTIONS_ID_TOKEN_REQUEST_URL && !!env.ACTIONS_ID_TOKEN_REQUEST_TOKEN;
}

export function githubServerUrl(env: NodeJS.ProcessEnv = process.env): string {
  return (env.GITHUB_SERVER_URL || 'https://github.com').replace(/\/+$/, '');
}

/** The token request @actions/core's getIDToken makes, without its `::add-mask::` line on stdout,
 * which would land in `--json` output. We never print the token. */
export async function requestIdToken(env: NodeJS.ProcessEnv = process.env, audience = 'trunkfarm'): Promise<string> {
  if (!hasActionsIdToken(env)) {
    throw new UserError('no GitHub Actions OIDC token here: the job needs `permissions: id-token: write`');
  }
  const url = new URL(env.ACTIONS_ID_TOKEN_REQUEST_URL!);
  url.searchParams.set('audience', audience);
  let value: unknown;
  try {
    const res = await fetch(url, { headers: { Authorization: `Bearer ${env.ACTIONS_ID_TOKEN_REQUEST_TOKEN}`, Accept: 'application/json' } });
    if (!res.ok) throw new Error(`HTTP ${res.status} ${res.statusText}`);
    value = ((await res.json()) as { value?: unknown }).value;
  } catch (err) {
    throw new UserError(`could not get the workflow's OIDC token: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  if (typeof value !== 'string' || value === '') throw new UserError('the OIDC token endpoint answered without a token');
  return value;
}

export function decodeJwtClaims(token: string): Record<string, unknown> {
  const payload = token.split('.')[1];
  if (payload === undefined) throw new UserError('the Actions OIDC token is not a JWT');
  try {
    const claims: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    if (typeof claims !== 'object' || claims === null) throw new Error('claims are not an object');
    return claims as Record<string, unknown>;
  } catch (err) {
    throw new UserError(`the Actions OIDC token has unreadable claims: ${err instanceof Error ? err.message : String(err)}`);
  }
}
