// Trust material for @sigstore/verify: a single public key for key-signed bundles, or Sigstore
// trusted roots (certificate authorities, timestamp authorities, logs) for keyless ones.
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { toTrustMaterial, type TrustMaterial } from '@sigstore/verify';
import { readFile } from 'node:fs/promises';
import { UserError } from '../errors.ts';
import type { VerifyingKey } from './key.ts';

/** Trusts exactly one key, whatever hint the bundle carries: the hint is not signed, so it may only
 * explain a failure, never pick the key. */
export function keyTrustMaterial(key: VerifyingKey): TrustMaterial {
  return {
    certificateAuthorities: [],
    timestampAuthorities: [],
    tlogs: [],
    ctlogs: [],
    publicKey: () => ({ publicKey: key.publicKey, validFor: () => true }),
  };
}

export interface TrustRoot {
  material: TrustMaterial;
  /** Whether this root's certificates carry SCTs to check (public-good does, GitHub's does not). */
  ctlogs: number;
}

/** Reads a Sigstore trusted root: one JSON document, or JSON Lines with one root per line (what
 * `gh attestation trusted-root` prints: public-good and GitHub's). */
export async function loadTrustedRoots(path: string): Promise<TrustRoot[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new UserError(`cannot read trusted root ${path}: ${(err as Error).message}`, { cause: err });
  }
  return parseTrustedRoots(text, path);
}

function parseTrustedRoots(text: string, where = 'trusted root'): TrustRoot[] {
  const trimmed = text.trim();
  let docs: unknown[];
  try {
    docs = trimmed.startsWith('[') ? (JSON.parse(trimmed) as unknown[]) : tryWhole(trimmed) ?? trimmed.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as unknown);
  } catch (err) {
    throw new UserError(`${where}: not JSON or JSON Lines: ${(err as Error).message}`, { cause: err });
  }
  if (docs.length === 0) throw new UserError(`${where}: no trusted root in it`);
  return docs.map((doc, i) => {
    try {
      const root = TrustedRoot.fromJSON(doc);
      if (root.certificateAuthorities.length === 0) throw new Error('it lists no certificate authority');
      return { material: toTrustMaterial(root), ctlogs: root.ctlogs.length };
    } catch (err) {
      throw new UserError(`${where}${docs.length > 1 ? ` (root ${i + 1})` : ''}: not a Sigstore trusted root: ${(err as Error).message}`, { cause: err });
    }
  });
}

function tryWhole(text: string): unknown[] | undefined {
  try {
    return [JSON.parse(text) as unknown];
  } catch {
    return undefined;
  }
}
