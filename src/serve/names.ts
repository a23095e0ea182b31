// How a pull names a composed image. Two spellings, one meaning:
//   HOST/postgres/pgvector/postgis--3.5.2:17-trixie   path form: what docker, podman, skopeo and
//                                                     Kubernetes accept (a tag cannot hold `+`)
//   HOST/postgres:17-trixie+pgvector+postgis@3.5.2    tag form, for clients that send names as given
// `postgres` is a base the server was started with; what follows it in the path, or each `+` in
// the tag, is an extension, pinned with `--VERSION` (path) or `@VERSION` (tag).
import type { ExtensionRequest } from '../compose/index.ts';
import { EXTENSION_NAME } from '../types.ts';

interface ComposeName {
  /** The configured base alias the name starts with. */
  base: string;
  /** Tag or digest in the base repository. */
  reference: string;
  extensions: ExtensionRequest[];
}

export class NameError extends Error {
  constructor(
    readonly code: 'NAME_UNKNOWN' | 'NAME_INVALID' | 'MANIFEST_INVALID',
    message: string,
  ) {
    super(message);
  }
}

const VERSION = /^[0-9A-Za-z][0-9A-Za-z.+~-]{0,63}$/;

/** Splits a repository name into the base alias and the path-form extensions. */
function splitName(name: string, bases: string[]): { base: string; extensions: ExtensionRequest[] } {
  const parts = name.split('/');
  // The longest alias wins, so `pg/17` and `pg` can both be bases.
  const base = [...bases].sort((a, b) => b.length - a.length).find((b) => name === b || name.startsWith(`${b}/`));
  if (base === undefined) {
    throw new NameError('NAME_UNKNOWN', `no base image is named ${JSON.stringify(parts[0])} here; this server composes onto ${bases.map((b) => JSON.stringify(b)).join(', ')} (pull BASE/EXTENSION/...:TAG)`);
  }
  const rest = name === base ? [] : name.slice(base.length + 1).split('/');
  return { base, extensions: rest.map((p) => extension(p, '--')) };
}

/** Splits a tag into the base's tag and the tag-form extensions. */
function splitTag(tag: string): { reference: string; extensions: ExtensionRequest[] } {
  const [reference, ...rest] = tag.split('+');
  if (reference === undefined || reference === '') throw new NameError('MANIFEST_INVALID', `${JSON.stringify(tag)}: starts with no base tag (e.g. 17-trixie+pgvector)`);
  return { reference, extensions: rest.map((p) => extension(p, '@')) };
}

function extension(text: string, pin: '--' | '@'): ExtensionRequest {
  const at = text.indexOf(pin);
  const name = at < 0 ? text : text.slice(0, at);
  const version = at < 0 ? undefined : text.slice(at + pin.length);
  if (!EXTENSION_NAME.test(name)) throw new NameError('NAME_INVALID', `${JSON.stringify(text)} is not an extension name (lower-case letters, digits, _ or -)`);
  if (version !== undefined && !VERSION.test(version)) throw new NameError('NAME_INVALID', `${JSON.stringify(text)}: ${JSON.stringify(version)} is not a version`);
  return { name, ...(version !== undefined && { version }) };
}

/** The whole request: path-form and tag-form extensions together, each named once. */
export function parseComposeName(name: string, reference: string, bases: string[]): ComposeName {
  const fromName = splitName(name, bases);
  const isDigest = /^[a-z0-9]+:[a-f0-9]{32,}$/.test(reference);
  const fromTag = isDigest ? { reference, extensions: [] } : splitTag(reference);
  const extensions = [...fromName.extensions, ...fromTag.extensions];
  const seen = new Set<string>();
  for (const e of extensions) {
    if (seen.has(e.name)) throw new NameError('NAME_INVALID', `${e.name} is named twice`);
    seen.add(e.name);
  }
  return { base: fromName.base, reference: fromTag.reference, extensions };
}
