// Image references as trunkfarm accepts them: HOST[:PORT]/NAMESPACE/NAME[:TAG][@DIGEST], always with
// an explicit registry host (no implicit Docker Hub), following the grammar of distribution's
// `reference` package.
import { UserError } from '../../errors.ts';
import { isDigest } from '../digest.ts';

export interface Reference {
  /** `host[:port]`, lower case, as written (`[::1]:5000` for IPv6). */
  registry: string;
  /** The repository path inside the registry: `namespace/name`. */
  repository: string;
  tag?: string;
  digest?: string;
}

const HOST_COMPONENT = /^(?:[a-z0-9]|[a-z0-9][a-z0-9-]*[a-z0-9])$/;
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const MAX_REPOSITORY = 255;

export function isTag(text: string): boolean {
  return TAG.test(text);
}

function bad(text: string, why: string): UserError {
  return new UserError(`invalid registry reference ${JSON.stringify(text)}: ${why} (expected HOST[:PORT]/NAMESPACE/NAME[:TAG][@DIGEST])`);
}

function validHost(host: string): boolean {
  let name = host;
  const ipv6 = /^\[([0-9a-f:.]+)\](?::(\d{1,5}))?$/.exec(host);
  if (ipv6) return ipv6[2] === undefined || Number(ipv6[2]) <= 65535;
  const colon = host.lastIndexOf(':');
  if (colon >= 0) {
    const port = host.slice(colon + 1);
    if (!/^\d{1,5}$/.test(port) || Number(port) > 65535) return false;
    name = host.slice(0, colon);
  }
  return name.length > 0 && name.split('.').every((part) => HOST_COMPONENT.test(part));
}

/** Parses a reference; the registry host is required, the tag and digest are optional. */
export function parseReference(text: string): Reference {
  let rest = text.trim();
  if (rest === '') throw bad(text, 'it is empty');
  if (/^[a-z]+:\/\//i.test(rest)) throw bad(text, 'leave out the URL scheme');
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!isDigest(digest)) throw bad(text, `${JSON.stringify(digest)} is not a sha256 or sha512 digest`);
  }
  const slash = rest.indexOf('/');
  if (slash < 0) throw bad(text, 'it names no repository after the host');
  const registry = rest.slice(0, slash).toLowerCase();
  let path = rest.slice(slash + 1);
  if (!(registry.includes('.') || registry.includes(':') || registry === 'localhost' || registry.startsWith('['))) {
    throw bad(text, `${JSON.stringify(registry)} is not a registry host (a host has a dot or a port, or is localhost)`);
  }
  if (!validHost(registry)) throw bad(text, `${JSON.stringify(registry)} is not a valid host[:port]`);
  let tag: string | undefined;
  const colon = path.lastIndexOf(':');
  if (colon >= 0) {
    tag = path.slice(colon + 1);
    path = path.slice(0, colon);
    if (!TAG.test(tag)) throw bad(text, `${JSON.stringify(tag)} is not a valid tag`);
  }
  if (path === '') throw bad(text, 'it names no repository after the host');
  for (const part of path.split('/')) {
    if (!PATH_COMPONENT.test(part)) {
      throw bad(text, `repository component ${JSON.stringify(part)} must be lower-case letters and digits, separated by ., _, __ or -`);
    }
  }
  if (path.length > MAX_REPOSITORY) throw bad(text, `the repository name is longer than ${MAX_REPOSITORY} characters`);
  return { registry, repository: path, ...(tag === undefined ? {} : { tag }), ...(digest === undefined ? {} : { digest }) };
}

/** A repository path as the distribution spec allows it: components of lower-case letters and
 * digits separated by `.`, `_`, `__` or dashes, joined by `/`. */
export function isRepositoryPath(path: string): boolean {
  return path.length <= MAX_REPOSITORY && path.split('/').every((part) => PATH_COMPONENT.test(part));
}

export function formatReference(ref: Reference): string {
  return `${ref.registry}/${ref.repository}${ref.tag === undefined ? '' : `:${ref.tag}`}${ref.digest === undefined ? '' : `@${ref.digest}`}`;
}

/** True for registries on this machine, which are spoken to over plain HTTP by default. */
export function isLoopback(registry: string): boolean {
  const host = registry.startsWith('[') ? registry.slice(0, registry.indexOf(']') + 1) : registry.replace(/:\d+$/, '');
  return host === 'localhost' || host === '[::1]' || /^127(?:\.\d{1,3}){3}$/.test(host);
}

/** Base URL of a registry's API: https, or plain http for loopback unless `plainHttp` says otherwise. */
export function registryBaseUrl(registry: string, plainHttp?: boolean): URL {
  const scheme = (plainHttp ?? isLoopback(registry)) ? 'http' : 'https';
  // Docker Hub's API does not live on the name people write.
  const host = registry === 'docker.io' ? 'registry-1.docker.io' : registry;
  return new URL(`${scheme}://${host}`);
}
