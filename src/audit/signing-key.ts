// The Ed25519 key that signs audit checkpoints, kept outside the store: whoever can write the
// store must not be able to sign. By default it is a file in the data directory beside the store
// (`audit-signing.key`, mode 0600, owned by the user Lifeboat runs as — not the user PostgreSQL
// runs as), created by `lifeboat start` / `lifeboat server` on first start, with its public key
// beside it (`audit-signing.pub`). `audit.signing_key` in lifeboat.yaml names one instead (every
// server and worker of a scaled-out Lifeboat must sign with the same key), and
// `audit.public_key` the public key a verifier trusts (an auditor can keep their own copy).
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { AuditConfig } from '../catalog/types.js';
import { LifeboatError } from '../errors.js';
import { keyFingerprint, type SigningKey } from './checkpoint.js';

export const SIGNING_KEY_FILE = 'audit-signing.key';
export const PUBLIC_KEY_FILE = 'audit-signing.pub';

export interface Signer extends SigningKey {
  /** Where the key came from, for messages. */
  source: string;
}

export interface TrustedKey {
  publicKey: KeyObject;
  fingerprint: string;
  source: string;
}

function badKey(source: string, problem: string): LifeboatError {
  return new LifeboatError('config_invalid', `unable to use the audit signing key ${source}: ${problem}`, {
    hint: 'it must be an Ed25519 private key in PEM (PKCS#8), e.g. from `openssl genpkey -algorithm ed25519`',
  });
}

/** Parses an Ed25519 private key (PEM, PKCS#8). */
export function signerFromPem(pem: string, source: string): Signer {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(pem);
  } catch (err) {
    throw badKey(source, (err as Error).message);
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') throw badKey(source, `it is a ${privateKey.asymmetricKeyType} key`);
  const publicKey = createPublicKey(privateKey);
  return { privateKey, publicKey, fingerprint: keyFingerprint(publicKey), source };
}

function trustedFromPem(pem: string, source: string): TrustedKey {
  let publicKey: KeyObject;
  try {
    publicKey = createPublicKey(pem);
  } catch (err) {
    throw new LifeboatError(
      'config_invalid',
      `unable to read the audit public key ${source}: ${(err as Error).message}`,
      {
        hint: 'it must be an Ed25519 public key in PEM (SPKI), as `lifeboat start` writes to audit-signing.pub',
      },
    );
  }
  if (publicKey.asymmetricKeyType !== 'ed25519') {
    throw new LifeboatError(
      'config_invalid',
      `the audit public key ${source} is a ${publicKey.asymmetricKeyType} key`,
      {
        hint: 'checkpoints are signed with Ed25519',
      },
    );
  }
  return { publicKey, fingerprint: keyFingerprint(publicKey), source };
}

/** The data directory's key, created (with its public key beside it) when `create` and missing. */
function dataDirSigner(dataDir: string, create: boolean): Signer | undefined {
  const file = join(resolve(dataDir), SIGNING_KEY_FILE);
  if (!existsSync(file)) {
    if (!create) return undefined;
    mkdirSync(resolve(dataDir), { recursive: true });
    const { privateKey } = generateKeyPairSync('ed25519');
    try {
      // 'wx': two processes starting at once never overwrite each other's key
      writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  const signer = signerFromPem(readFileSync(file, 'utf8'), file);
  const pub = join(resolve(dataDir), PUBLIC_KEY_FILE);
  if (!existsSync(pub)) writeFileSync(pub, signer.publicKey.export({ type: 'spki', format: 'pem' }), { mode: 0o644 });
  return signer;
}

/**
 * The key this process signs checkpoints with: `audit.signing_key`, else the data directory's
 * (created when `create`: only `start` and `server` create it). Undefined when there is none.
 */
export function loadSigner(audit: AuditConfig, dataDir: string, opts: { create: boolean }): Signer | undefined {
  const signer = audit.signingKey
    ? signerFromPem(audit.signingKey.reveal(), audit.signingKey.source)
    : dataDirSigner(dataDir, opts.create);
  if (signer && audit.publicKey) {
    const trusted = trustedFromPem(readPem(audit.publicKey), audit.publicKey);
    if (trusted.fingerprint !== signer.fingerprint) {
      throw new LifeboatError(
        'config_invalid',
        `audit.public_key ${audit.publicKey} (key ${trusted.fingerprint}) is not the public key of the signing key ${signer.source} (key ${signer.fingerprint})`,
        { hint: 'checkpoints this process signs would not verify: make them one key pair' },
      );
    }
  }
  return signer;
}

/**
 * The public key verification trusts: `audit.public_key`, else that of `audit.signing_key`,
 * else the data directory's. Never the key a checkpoint carries.
 */
export function loadTrustedKey(audit: AuditConfig | undefined, dataDir: string): TrustedKey | undefined {
  if (audit?.publicKey) return trustedFromPem(readPem(audit.publicKey), audit.publicKey);
  if (audit?.signingKey) {
    const s = signerFromPem(audit.signingKey.reveal(), audit.signingKey.source);
    return { publicKey: s.publicKey, fingerprint: s.fingerprint, source: s.source };
  }
  const pub = join(resolve(dataDir), PUBLIC_KEY_FILE);
  if (existsSync(pub)) return trustedFromPem(readFileSync(pub, 'utf8'), pub);
  const key = join(resolve(dataDir), SIGNING_KEY_FILE);
  if (existsSync(key)) {
    const s = signerFromPem(readFileSync(key, 'utf8'), key);
    return { publicKey: s.publicKey, fingerprint: s.fingerprint, source: key };
  }
  return undefined;
}

function readPem(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new LifeboatError(
      'config_invalid',
      `unable to read the audit public key ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
      { hint: 'audit.public_key is a path relative to lifeboat.yaml' },
    );
  }
}
