// Signing keys for farms outside GitHub: Ed25519 (default) or ECDSA P-256, as PEM files that
// cosign and openssl read too. A key is named by its id: the hex sha256 of its SPKI DER, which is
// also the bundle's public key hint.
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign as cryptoSign, type KeyObject } from 'node:crypto';
import { open, readFile, rm } from 'node:fs/promises';
import { UserError } from '../errors.ts';

export const KEY_TYPES = ['ed25519', 'ecdsa-p256'] as const;
export type KeyType = (typeof KEY_TYPES)[number];

/** Environment variable holding the passphrase of an encrypted private key. */
export const PASSPHRASE_ENV = 'TRUNKFARM_KEY_PASSWORD';

export interface SigningKey {
  type: KeyType;
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** SPKI PEM of the public key. */
  publicKeyPem: string;
  keyId: string;
}

export interface VerifyingKey {
  type: KeyType;
  publicKey: KeyObject;
  keyId: string;
}

/** Hex sha256 of the key's SubjectPublicKeyInfo DER. */
export function keyId(publicKey: KeyObject): string {
  return createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex');
}

/** Signs bytes the way Sigstore verifiers expect for the key type: pure Ed25519, or ECDSA over
 * SHA-256 with a DER signature. */
export function signBytes(key: SigningKey, data: Buffer): Buffer {
  return cryptoSign(key.type === 'ed25519' ? null : 'sha256', data, key.privateKey);
}

export interface KeygenResult {
  privatePath: string;
  publicPath: string;
  type: KeyType;
  keyId: string;
  encrypted: boolean;
}

/** Writes PREFIX.key (PKCS#8 PEM, mode 0600) and PREFIX.pub (SPKI PEM). Refuses to overwrite
 * either; encrypts the private key when a passphrase is given. */
export async function generateKeyFiles(prefix: string, type: KeyType = 'ed25519', passphrase?: string): Promise<KeygenResult> {
  if (!KEY_TYPES.includes(type)) throw new UserError(`unknown key type "${type}": use ${KEY_TYPES.join(' or ')}`, { exitCode: 2 });
  const privatePath = `${prefix}.key`;
  const publicPath = `${prefix}.pub`;
  const { privateKey, publicKey } =
    type === 'ed25519' ? generateKeyPairSync('ed25519') : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const privatePem = privateKey.export({
    type: 'pkcs8',
    format: 'pem',
    ...(passphrase ? { cipher: 'aes-256-cbc', passphrase } : {}),
  }) as string;
  const publicPem = publicKey.export({ type: 'spki', format: 'pem' }) as string;

  // `wx` makes the refusal atomic: no check-then-write window, and a half pair is removed again.
  await writeNew(privatePath, privatePem, 0o600);
  try {
    await writeNew(publicPath, publicPem, 0o644);
  } catch (err) {
    await rm(privatePath, { force: true });
    throw err;
  }
  return { privatePath, publicPath, type, keyId: keyId(publicKey), encrypted: !!passphrase };
}

async function writeNew(path: string, text: string, mode: number): Promise<void> {
  let handle;
  try {
    handle = await open(path, 'wx', mode);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new UserError(`${path} already exists; not overwriting a key`);
    throw new UserError(`cannot write ${path}: ${(err as Error).message}`, { cause: err });
  }
  try {
    await handle.writeFile(text);
    await handle.chmod(mode); // the umask may have narrowed or widened what open() asked for
  } finally {
    await handle.close();
  }
}

/** Loads a private key for signing. The passphrase of an encrypted key comes from the argument or
 * TRUNKFARM_KEY_PASSWORD. */
export async function loadSigningKey(path: string, passphrase: string | undefined = process.env[PASSPHRASE_ENV]): Promise<SigningKey> {
  const pem = await readKeyFile(path);
  if (/-----BEGIN (RSA |EC )?PUBLIC KEY-----/.test(pem)) {
    throw new UserError(`${path} is a public key; signing needs the private key (the .key file from \`trunkfarm keygen\`)`);
  }
  const encrypted = pem.includes('-----BEGIN ENCRYPTED PRIVATE KEY-----') || /Proc-Type: 4,ENCRYPTED/.test(pem);
  if (encrypted && !passphrase) throw new UserError(`${path} is encrypted: set ${PASSPHRASE_ENV} to its passphrase`);
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: pem, format: 'pem', ...(encrypted ? { passphrase } : {}) });
  } catch (err) {
    if (encrypted) throw new UserError(`${path}: cannot decrypt the key (wrong ${PASSPHRASE_ENV}?)`, { cause: err });
    throw new UserError(`${path} is not a PEM private key: ${(err as Error).message}`, { cause: err });
  }
  const type = keyTypeOf(privateKey, path);
  const publicKey = createPublicKey(privateKey);
  return { type, privateKey, publicKey, publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }) as string, keyId: keyId(publicKey) };
}

/** Loads a public key for verifying (a private key file is accepted too: its public half is used). */
export async function loadVerifyingKey(path: string): Promise<VerifyingKey> {
  return verifyingKeyFromPem(await readKeyFile(path), path);
}

function verifyingKeyFromPem(pem: string, where = 'the key'): VerifyingKey {
  let publicKey: KeyObject;
  try {
    publicKey = createPublicKey({ key: pem, format: 'pem' });
  } catch (err) {
    if (/ENCRYPTED/.test(pem)) throw new UserError(`${where} is an encrypted private key; verify with the public key (.pub)`, { cause: err });
    throw new UserError(`${where} is not a PEM public key: ${(err as Error).message}`, { cause: err });
  }
  return { type: keyTypeOf(publicKey, where), publicKey, keyId: keyId(publicKey) };
}

async function readKeyFile(path: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UserError(code === 'ENOENT' ? `key file ${path} does not exist` : `cannot read key file ${path}: ${(err as Error).message}`, { cause: err });
  }
  if (!text.includes('-----BEGIN ')) throw new UserError(`${path} is not a PEM file (no "-----BEGIN" line)`);
  return text;
}

function keyTypeOf(key: KeyObject, where: string): KeyType {
  if (key.asymmetricKeyType === 'ed25519') return 'ed25519';
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'ecdsa-p256';
  const what = key.asymmetricKeyType === 'ec' ? `EC ${key.asymmetricKeyDetails?.namedCurve}` : String(key.asymmetricKeyType).toUpperCase();
  throw new UserError(`${where} is an ${what} key; trunkfarm signs with Ed25519 or ECDSA P-256 keys`);
}
