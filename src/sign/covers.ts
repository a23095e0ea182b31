// Whether a bundle made earlier already signs an artifact the way this run would: the artifact's
// sha256 is a subject of its statement, and the signature is by the same key or, keyless, by the
// same workflow identity. Building and publishing keep such a bundle instead of signing again: an
// ECDSA or keyless signature of the same bytes differs every time, so signing again would make a
// re-publish upload a new bundle for nothing (a release asset of "different content", one more
// referrer on the image).
import { bundleFromJSON, isBundleWithDsseEnvelope } from '@sigstore/bundle';
import { toSignedEntity, Verifier } from '@sigstore/verify';
import { createPublicKey } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { VerifyingKey } from './key.ts';
import { keyTrustMaterial } from './trust.ts';
import { INTOTO_PAYLOAD_TYPE, type Statement } from './types.ts';

/** Who this run signs as: a key, or the certificate identity keyless signing will get. */
export type SignerExpectation = { kind: 'key'; key: VerifyingKey } | { kind: 'identity'; identity: string; issuer: string };

/** The statement of `text` when it is a DSSE bundle that signs `sha256` as `signer`; else
 * undefined (not a bundle, another subject, another signer, a broken signature). Keyless, the
 * signature is checked against the bundle's own certificate and its identity compared: whether
 * that certificate chains to a trusted root is the verifier's business, not the signer's. */
export function bundleCovers(text: string, sha256: string, signer: SignerExpectation): Statement | undefined {
  try {
    const bundle = bundleFromJSON(JSON.parse(text));
    if (!isBundleWithDsseEnvelope(bundle) || bundle.content.dsseEnvelope.payloadType !== INTOTO_PAYLOAD_TYPE) return undefined;
    const statement = JSON.parse(bundle.content.dsseEnvelope.payload.toString('utf8')) as Statement;
    if (!Array.isArray(statement.subject) || !statement.subject.some((s) => s?.digest?.sha256 === sha256)) return undefined;
    const entity = toSignedEntity(bundle);
    if (signer.kind === 'key') {
      if (entity.key.$case !== 'public-key') return undefined;
      new Verifier(keyTrustMaterial(signer.key), { tlogThreshold: 0, ctlogThreshold: 0, tsaThreshold: 0 }).verify(entity);
      return statement;
    }
    if (entity.key.$case !== 'certificate' || entity.timestamps.length === 0) return undefined;
    const cert = entity.key.certificate;
    if (!entity.signature.verifySignature(createPublicKey({ key: cert.publicKey, format: 'der', type: 'spki' }))) return undefined;
    if (cert.subjectAltName !== signer.identity || certificateIssuer(cert) !== signer.issuer) return undefined;
    return statement;
  } catch {
    return undefined;
  }
}

/** bundleCovers for a bundle file; undefined when there is none. */
export async function fileBundleCovers(path: string, sha256: string, signer: SignerExpectation): Promise<Statement | undefined> {
  const text = await readFile(path, 'utf8').catch(() => undefined);
  return text === undefined ? undefined : bundleCovers(text, sha256, signer);
}

/** The OIDC issuer a Fulcio certificate names (extension 1.3.6.1.4.1.57264.1.8, else the older .1.1). */
function certificateIssuer(cert: { extension(oid: string): unknown }): string | undefined {
  const v2 = cert.extension('1.3.6.1.4.1.57264.1.8') as { valueObj?: { subs?: { value: Buffer }[] } } | undefined;
  if (v2) return v2.valueObj?.subs?.[0]?.value.toString('ascii');
  return (cert.extension('1.3.6.1.4.1.57264.1.1') as { value?: Buffer } | undefined)?.value?.toString('ascii');
}
