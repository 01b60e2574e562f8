// Encryption keys of a backup. With recipients, files are encrypted to them directly. With a
// passphrase, each backup gets its own X25519 identity: files are encrypted to it (fast), and the
// identity is stored beside them encrypted with the passphrase (`key.age`, one slow scrypt per
// backup instead of one per file). Both stay plain age: `age -d` opens everything.
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import type { EncryptionConfig } from '../catalog/types.js';
import {
  decryptStream,
  type DecryptOptions,
  encryptStream,
  type EncryptOptions,
  generateX25519Identity,
} from '../crypto/age.js';
import { LifeboatError } from '../errors.js';
import { Secret } from '../lib/secret.js';
import type { Storage } from '../storage/storage.js';

export const KEY_FILE = 'key.age';

export interface BackupKeys {
  encrypt: EncryptOptions;
  /** The key file to store beside the backup (passphrase mode). */
  keyFile?: Buffer;
  mode: 'passphrase' | 'recipients';
  recipients?: string[];
}

export async function newBackupKeys(cfg: EncryptionConfig, scryptWorkFactor?: number): Promise<BackupKeys> {
  if (cfg.mode === 'recipients')
    return { encrypt: { recipients: [...cfg.recipients] }, mode: 'recipients', recipients: [...cfg.recipients] };
  const id = await generateX25519Identity();
  const keyFile = await buffer(
    Readable.from([Buffer.from(`${id.identity}\n`)]).pipe(
      encryptStream({ passphrase: cfg.passphrase, scryptWorkFactor }),
    ),
  );
  return { encrypt: { recipients: [id.recipient] }, keyFile, mode: 'passphrase' };
}

/** How to decrypt a backup's files, from the configured keys (and its key file in passphrase mode). */
export async function backupDecryption(
  cfg: EncryptionConfig | undefined,
  mode: 'passphrase' | 'recipients',
  storage: Storage,
  prefix: string,
  label: string,
): Promise<DecryptOptions> {
  if (mode === 'recipients') {
    if (cfg?.mode !== 'recipients' || !cfg.identity) {
      throw new LifeboatError('storage_failed', `unable to decrypt ${label}: no age identity is configured`, {
        hint: 'set backup.encrypt.identity (env: or file:) to the private key of one of the recipients',
      });
    }
    return { identities: [cfg.identity] };
  }
  if (cfg?.mode !== 'passphrase') {
    throw new LifeboatError(
      'storage_failed',
      `unable to decrypt ${label}: it was encrypted with a passphrase and none is configured`,
      {
        hint: 'set backup.encrypt.passphrase to the passphrase the backup was taken with',
      },
    );
  }
  const stream = (await storage.read(`${prefix}${KEY_FILE}`)).pipe(
    decryptStream({ passphrase: cfg.passphrase }, `${label} (${KEY_FILE})`),
  );
  const identity = (await buffer(stream)).toString('utf8').trim();
  return { identities: [new Secret(identity, `${label}:${KEY_FILE}`)] };
}
