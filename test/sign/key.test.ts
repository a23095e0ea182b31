import { createHash, generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyFiles, keyId, loadSigningKey, loadVerifyingKey } from '../../src/sign/index.ts';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'trunkfarm-key-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('generateKeyFiles', () => {
  it.each(['ed25519', 'ecdsa-p256'] as const)('writes a %s PKCS#8 key (0600) and SPKI public key whose ids agree', async (type) => {
    const prefix = join(dir, type);
    const result = await generateKeyFiles(prefix, type);
    expect((await stat(`${prefix}.key`)).mode & 0o777).toBe(0o600);
    expect(await readFile(`${prefix}.key`, 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(await readFile(`${prefix}.pub`, 'utf8')).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
    const signing = await loadSigningKey(`${prefix}.key`);
    const verifying = await loadVerifyingKey(`${prefix}.pub`);
    expect(signing.type).toBe(type);
    expect(signing.keyId).toBe(result.keyId);
    expect(verifying.keyId).toBe(result.keyId);
    expect(result.keyId).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses to overwrite either file, and leaves no half pair behind', async () => {
    const prefix = join(dir, 'exists');
    await generateKeyFiles(prefix);
    const before = await readFile(`${prefix}.key`, 'utf8');
    await expect(generateKeyFiles(prefix)).rejects.toThrow(`${prefix}.key already exists; not overwriting a key`);
    expect(await readFile(`${prefix}.key`, 'utf8')).toBe(before);

    const half = join(dir, 'half');
    await writeFile(`${half}.pub`, 'someone else\'s file');
    await expect(generateKeyFiles(half)).rejects.toThrow(`${half}.pub already exists`);
    await expect(stat(`${half}.key`)).rejects.toThrow(/ENOENT/);
  });

  it('encrypts with a passphrase, and loading needs it', async () => {
    const prefix = join(dir, 'enc');
    await generateKeyFiles(prefix, 'ed25519', 'correct horse');
    expect(await readFile(`${prefix}.key`, 'utf8')).toMatch(/^-----BEGIN ENCRYPTED PRIVATE KEY-----/);
    await expect(loadSigningKey(`${prefix}.key`, undefined)).rejects.toThrow(/is encrypted: set TRUNKFARM_KEY_PASSWORD/);
    await expect(loadSigningKey(`${prefix}.key`, 'wrong')).rejects.toThrow(/cannot decrypt the key \(wrong TRUNKFARM_KEY_PASSWORD\?\)/);
    expect((await loadSigningKey(`${prefix}.key`, 'correct horse')).type).toBe('ed25519');
  });
});

describe('loading keys: clear errors', () => {
  it('names a missing file, a non-PEM file, a public key given for signing', async () => {
    await expect(loadSigningKey(join(dir, 'nope.key'))).rejects.toThrow(/key file .*nope\.key does not exist/);
    const junk = join(dir, 'junk.key');
    await writeFile(junk, 'not a key at all');
    await expect(loadSigningKey(junk)).rejects.toThrow(/is not a PEM file/);
    const broken = join(dir, 'broken.key');
    await writeFile(broken, '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n');
    await expect(loadSigningKey(broken)).rejects.toThrow(/is not a PEM private key/);
    const { publicPath } = await generateKeyFiles(join(dir, 'pubonly'));
    await expect(loadSigningKey(publicPath)).rejects.toThrow(/is a public key; signing needs the private key/);
  });

  it('refuses RSA and other curves', async () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const rsaPath = join(dir, 'rsa.key');
    await writeFile(rsaPath, rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }));
    await expect(loadSigningKey(rsaPath)).rejects.toThrow(/is an RSA key; trunkfarm signs with Ed25519 or ECDSA P-256 keys/);
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    const p384Path = join(dir, 'p384.pub');
    await writeFile(p384Path, p384.publicKey.export({ type: 'spki', format: 'pem' }));
    await expect(loadVerifyingKey(p384Path)).rejects.toThrow(/is an EC secp384r1 key/);
  });

  it('key id is the sha256 of the SPKI DER', async () => {
    const { publicKey } = generateKeyPairSync('ed25519');
    expect(keyId(publicKey)).toBe(createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex'));
  });
});
