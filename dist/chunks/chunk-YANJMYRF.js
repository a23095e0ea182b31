import { createRequire as __trunkfarmRequire } from 'node:module';
const require = __trunkfarmRequire(import.meta.url);
import {
  UserError
} from "./chunk-YUDCMAJG.js";

// src/sign/key.ts
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign as cryptoSign } from "node:crypto";
import { open, readFile, rm } from "node:fs/promises";
var KEY_TYPES = ["ed25519", "ecdsa-p256"];
var PASSPHRASE_ENV = "TRUNKFARM_KEY_PASSWORD";
function keyId(publicKey) {
  return createHash("sha256").update(publicKey.export({ type: "spki", format: "der" })).digest("hex");
}
function signBytes(key, data) {
  return cryptoSign(key.type === "ed25519" ? null : "sha256", data, key.privateKey);
}
async function generateKeyFiles(prefix, type = "ed25519", passphrase) {
  if (!KEY_TYPES.includes(type)) throw new UserError(`unknown key type "${type}": use ${KEY_TYPES.join(" or ")}`, { exitCode: 2 });
  const privatePath = `${prefix}.key`;
  const publicPath = `${prefix}.pub`;
  const { privateKey, publicKey } = type === "ed25519" ? generateKeyPairSync("ed25519") : generateKeyPairSync("ec", { namedCurve: "P-256" });
  const privatePem = privateKey.export({
    type: "pkcs8",
    format: "pem",
    ...passphrase ? { cipher: "aes-256-cbc", passphrase } : {}
  });
  const publicPem = publicKey.export({ type: "spki", format: "pem" });
  await writeNew(privatePath, privatePem, 384);
  try {
    await writeNew(publicPath, publicPem, 420);
  } catch (err) {
    await rm(privatePath, { force: true });
    throw err;
  }
  return { privatePath, publicPath, type, keyId: keyId(publicKey), encrypted: !!passphrase };
}
async function writeNew(path, text, mode) {
  let handle;
  try {
    handle = await open(path, "wx", mode);
  } catch (err) {
    if (err.code === "EEXIST") throw new UserError(`${path} already exists; not overwriting a key`);
    throw new UserError(`cannot write ${path}: ${err.message}`, { cause: err });
  }
  try {
    await handle.writeFile(text);
    await handle.chmod(mode);
  } finally {
    await handle.close();
  }
}
async function loadSigningKey(path, passphrase = process.env[PASSPHRASE_ENV]) {
  const pem = await readKeyFile(path);
  if (/-----BEGIN (RSA |EC )?PUBLIC KEY-----/.test(pem)) {
    throw new UserError(`${path} is a public key; signing needs the private key (the .key file from \`trunkfarm keygen\`)`);
  }
  const encrypted = pem.includes("-----BEGIN ENCRYPTED PRIVATE KEY-----") || /Proc-Type: 4,ENCRYPTED/.test(pem);
  if (encrypted && !passphrase) throw new UserError(`${path} is encrypted: set ${PASSPHRASE_ENV} to its passphrase`);
  let privateKey;
  try {
    privateKey = createPrivateKey({ key: pem, format: "pem", ...encrypted ? { passphrase } : {} });
  } catch (err) {
    if (encrypted) throw new UserError(`${path}: cannot decrypt the key (wrong ${PASSPHRASE_ENV}?)`, { cause: err });
    throw new UserError(`${path} is not a PEM private key: ${err.message}`, { cause: err });
  }
  const type = keyTypeOf(privateKey, path);
  const publicKey = createPublicKey(privateKey);
  return { type, privateKey, publicKey, publicKeyPem: publicKey.export({ type: "spki", format: "pem" }), keyId: keyId(publicKey) };
}
async function loadVerifyingKey(path) {
  return verifyingKeyFromPem(await readKeyFile(path), path);
}
function verifyingKeyFromPem(pem, where = "the key") {
  let publicKey;
  try {
    publicKey = createPublicKey({ key: pem, format: "pem" });
  } catch (err) {
    if (/ENCRYPTED/.test(pem)) throw new UserError(`${where} is an encrypted private key; verify with the public key (.pub)`, { cause: err });
    throw new UserError(`${where} is not a PEM public key: ${err.message}`, { cause: err });
  }
  return { type: keyTypeOf(publicKey, where), publicKey, keyId: keyId(publicKey) };
}
async function readKeyFile(path) {
  let text;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    const code = err.code;
    throw new UserError(code === "ENOENT" ? `key file ${path} does not exist` : `cannot read key file ${path}: ${err.message}`, { cause: err });
  }
  if (!text.includes("-----BEGIN ")) throw new UserError(`${path} is not a PEM file (no "-----BEGIN" line)`);
  return text;
}
function keyTypeOf(key, where) {
  if (key.asymmetricKeyType === "ed25519") return "ed25519";
  if (key.asymmetricKeyType === "ec" && key.asymmetricKeyDetails?.namedCurve === "prime256v1") return "ecdsa-p256";
  const what = key.asymmetricKeyType === "ec" ? `EC ${key.asymmetricKeyDetails?.namedCurve}` : String(key.asymmetricKeyType).toUpperCase();
  throw new UserError(`${where} is an ${what} key; trunkfarm signs with Ed25519 or ECDSA P-256 keys`);
}

export {
  KEY_TYPES,
  PASSPHRASE_ENV,
  keyId,
  signBytes,
  generateKeyFiles,
  loadSigningKey,
  loadVerifyingKey
};
