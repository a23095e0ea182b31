// Issues X.509 certificates with node:crypto keys: the test roots and the certificates the
// loopback Fulcio, TSA and TLS stand-ins hand out. ECDSA P-256 with SHA-256 throughout.
import { createHash, generateKeyPairSync, randomBytes, sign, X509Certificate, type KeyObject } from 'node:crypto';
import { bool, explicit, ia5, implicitPrimitive, int, octets, oid, seq, set, time, tlv, utf8 } from './der.ts';

const ECDSA_SHA256 = seq(oid('1.2.840.10045.4.3.2'));

export interface Issuer {
  name: Buffer;
  privateKey: KeyObject;
  keyId: Buffer;
  der: Buffer;
  pem: string;
}

export interface CertSpec {
  /** Subject common name; empty for Fulcio-style leaf certificates (identity in the SAN). */
  commonName?: string;
  publicKey: KeyObject;
  notBefore?: Date;
  notAfter?: Date;
  ca?: boolean;
  /** Further extensions, each a DER Extension. */
  extensions?: Buffer[];
}

export function name(commonName: string | undefined): Buffer {
  if (!commonName) return seq();
  return seq(set(seq(oid('2.5.4.10'), utf8('trunkfarm test'))), set(seq(oid('2.5.4.3'), utf8(commonName))));
}

export function extension(id: string, value: Buffer, critical = false): Buffer {
  return critical ? seq(oid(id), bool(true), octets(value)) : seq(oid(id), octets(value));
}

function subjectKeyId(publicKey: KeyObject): Buffer {
  return createHash('sha1').update(publicKey.export({ type: 'spki', format: 'der' })).digest();
}

/** Issues a certificate; without an issuer it is self-signed (a root). */
export function issue(spec: CertSpec, issuer?: Issuer, signingKey?: KeyObject): Issuer & { cert: X509Certificate } {
  const now = Date.now();
  const notBefore = spec.notBefore ?? new Date(now - 60_000);
  const notAfter = spec.notAfter ?? new Date(now + 3600_000);
  const subject = name(spec.commonName);
  const ski = subjectKeyId(spec.publicKey);
  const selfKey = signingKey;
  const exts = [
    extension('2.5.29.14', octets(ski)),
    extension('2.5.29.35', seq(tlv(0x80, issuer ? issuer.keyId : ski))),
    spec.ca
      ? extension('2.5.29.19', seq(bool(true)), true)
      : extension('2.5.29.19', seq(), true),
    // keyCertSign|cRLSign for CAs, digitalSignature otherwise
    extension('2.5.29.15', spec.ca ? Buffer.from([0x03, 0x02, 0x01, 0x06]) : Buffer.from([0x03, 0x02, 0x07, 0x80]), true),
    ...(spec.extensions ?? []),
  ];
  const tbs = seq(
    explicit(0, int(2)),
    int(Buffer.concat([Buffer.from([0x01]), randomBytes(15)])),
    ECDSA_SHA256,
    issuer ? issuer.name : subject,
    seq(time(notBefore), time(notAfter)),
    subject,
    spec.publicKey.export({ type: 'spki', format: 'der' }),
    explicit(3, seq(...exts)),
  );
  const key = issuer ? issuer.privateKey : selfKey;
  if (!key) throw new Error('a self-signed certificate needs its private key');
  const der = seq(tbs, ECDSA_SHA256, tlv(0x03, Buffer.concat([Buffer.from([0]), sign('sha256', tbs, key)])));
  const cert = new X509Certificate(der);
  return { name: subject, privateKey: selfKey ?? key, keyId: ski, der, pem: cert.toString(), cert };
}

export function newKey(): { privateKey: KeyObject; publicKey: KeyObject } {
  return generateKeyPairSync('ec', { namedCurve: 'P-256' });
}

/** A self-signed CA with a fresh key. */
export function rootCA(commonName: string, validity?: { notBefore?: Date; notAfter?: Date }): Issuer & { cert: X509Certificate } {
  const { privateKey, publicKey } = newKey();
  return issue({ commonName, publicKey, ca: true, ...validity }, undefined, privateKey);
}

/** A certificate for a key whose private half the holder keeps (Fulcio leaves, TLS, TSA). */
export function leaf(issuer: Issuer, spec: CertSpec, holderKey?: KeyObject): Issuer & { cert: X509Certificate } {
  const issued = issue(spec, issuer);
  return { ...issued, privateKey: holderKey ?? issued.privateKey };
}

export const san = {
  uri: (u: string): Buffer => extension('2.5.29.17', seq(implicitPrimitive(6, Buffer.from(u, 'ascii'))), true),
  dns: (...names: string[]): Buffer => extension('2.5.29.17', seq(...names.map((n) => implicitPrimitive(2, Buffer.from(n, 'ascii'))))),
};
export const eku = (critical: boolean, ...oids: string[]): Buffer => extension('2.5.29.37', seq(...oids.map(oid)), critical);
export { ia5, utf8 };
