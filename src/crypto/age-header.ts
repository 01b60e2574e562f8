// The age header: "age-encryption.org/v1", one stanza per recipient, and "--- <MAC>".
//
// typage builds and checks headers (recipient types, the MAC); the payload is ours (see
// age-payload.ts). typage has no call that returns a header with its file key, so the file key
// is observed through typage's public `Recipient` interface — every recipient's `wrapFileKey`
// receives it — and the header is cut from the encryption of an empty file: header, then the
// 16-byte payload nonce, then one empty sealed chunk (its 16-byte tag).
import { Decrypter, Encrypter, type Identity, type Recipient } from 'age-encryption';
import { PAYLOAD_NONCE_SIZE, TAG_SIZE } from './age-payload.js';
import { ScryptIdentity, ScryptRecipient } from './age-scrypt.js';

export const AGE_MAGIC = Buffer.from('age-encryption.org/v1\n');
const MAC_LINE = Buffer.from('\n--- ');
/** Far above any real header (a post-quantum stanza is ≈1.5 KiB); stops unbounded buffering. */
export const MAX_HEADER_SIZE = 1024 * 1024;

export interface SealedHeader {
  header: Buffer;
  fileKey: Uint8Array;
}

export type HeaderKeys = { passphrase: string; scryptWorkFactor: number } | { recipients: readonly string[] };

/** Parses the keys now (throws on an unusable recipient) and returns the header builder. */
export function prepareHeader(keys: HeaderKeys): () => Promise<SealedHeader> {
  let fileKey: Uint8Array | undefined;
  const capture = (k: Uint8Array) => {
    fileKey = k;
  };
  const encrypter = new Encrypter();
  if ('passphrase' in keys) {
    encrypter.addRecipient(new ScryptRecipient(keys.passphrase, keys.scryptWorkFactor, capture));
  } else {
    for (const r of keys.recipients) encrypter.addRecipient(r);
    const observer: Recipient = {
      wrapFileKey: (k) => {
        capture(k);
        return []; // adds no stanza
      },
    };
    encrypter.addRecipient(observer);
  }
  return async () => {
    const empty = Buffer.from(await encrypter.encrypt(new Uint8Array(0)));
    const header = empty.subarray(0, empty.length - PAYLOAD_NONCE_SIZE - TAG_SIZE);
    if (fileKey === undefined || findHeaderEnd(empty) !== header.length) {
      throw new Error('age-encryption produced an unexpected file layout');
    }
    return { header: Buffer.from(header), fileKey };
  };
}

/** The length of the header at the start of `buf`, or undefined if its MAC line is not complete yet. */
export function findHeaderEnd(buf: Buffer): number | undefined {
  const mac = buf.indexOf(MAC_LINE);
  if (mac < 0) return undefined;
  const eol = buf.indexOf(0x0a, mac + MAC_LINE.length);
  return eol < 0 ? undefined : eol + 1;
}

export type HeaderIdentities = { passphrase: string } | { identities: readonly string[] };

export type UnwrapResult = { fileKey: Uint8Array } | { noMatch: true };

/** Parses the identities now (throws on an unusable one) and returns the header opener. */
export function prepareUnwrap(keys: HeaderIdentities): (header: Buffer) => Promise<UnwrapResult> {
  const decrypter = new Decrypter();
  if ('passphrase' in keys) decrypter.addIdentity(new ScryptIdentity(keys.passphrase));
  else for (const i of keys.identities) decrypter.addIdentity(i);
  // typage tries identities in order and stops at the first match: this one, added last, is
  // only reached when none matched. That is "wrong key", told apart from a damaged header
  // without depending on the wording of typage's errors.
  let noMatch = false;
  const sentinel: Identity = {
    unwrapFileKey: () => {
      noMatch = true;
      return null;
    },
  };
  decrypter.addIdentity(sentinel);
  return async (header) => {
    noMatch = false;
    try {
      return { fileKey: await decrypter.decryptHeader(header) };
    } catch (err) {
      if (noMatch) return { noMatch: true };
      throw err;
    }
  };
}
