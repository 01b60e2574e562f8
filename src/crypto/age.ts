// Streaming encryption at rest in the age format (age-encryption.org/v1), so that an encrypted
// backup file decrypts with the stock `age -d` and no Lifeboat. Both directions are Node
// Transforms holding at most one 64 KiB chunk (plus a header of at most 1 MiB), whatever the
// file size.
//
// Every failure is an error on the stream, never a throw from these functions, so a pipeline
// reports it once. Decryption never emits unauthenticated bytes: a wrong key, a damaged header,
// a flipped bit or a truncated file is an error, never garbage. A truncated file does emit its
// (authentic) leading chunks before the error, so a consumer must treat the error as the
// outcome of the whole file.

import { randomBytes } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { Encrypter, generateX25519Identity as generateIdentity, identityToRecipient } from 'age-encryption';
import { LifeboatError } from '../errors.js';
import type { Secret } from '../lib/secret.js';
import {
  AGE_MAGIC,
  findHeaderEnd,
  MAX_HEADER_SIZE,
  prepareHeader,
  prepareUnwrap,
  type SealedHeader,
  type UnwrapResult,
} from './age-header.js';
import { CHUNK_SIZE, PAYLOAD_NONCE_SIZE, PayloadOpener, PayloadSealer, payloadKey, TAG_SIZE } from './age-payload.js';
import { DEFAULT_SCRYPT_WORK_FACTOR, MAX_SCRYPT_WORK_FACTOR } from './age-scrypt.js';

export type EncryptOptions =
  | {
      passphrase: Secret;
      /** log2 of scrypt's N; default 18 (≈1–1.5 s of CPU and 256 MiB per file). Lower only for tests. */
      scryptWorkFactor?: number;
    }
  | { recipients: readonly string[] };

export type DecryptOptions = { passphrase: Secret } | { identities: readonly Secret[] };

/** A plaintext → age file Transform. */
export function encryptStream(opts: EncryptOptions): Transform {
  let build: () => Promise<SealedHeader>;
  try {
    build = prepareHeader(headerKeys(opts));
  } catch (err) {
    return failed(err);
  }
  return new AgeEncrypter(build);
}

/** An age file → plaintext Transform. `label` names the file in messages (e.g. the backup file). */
export function decryptStream(opts: DecryptOptions, label: string): Transform {
  let unwrap: (header: Buffer) => Promise<UnwrapResult>;
  try {
    unwrap = prepareUnwrap(identityKeys(opts, label));
  } catch (err) {
    return failed(
      err instanceof LifeboatError
        ? err
        : new LifeboatError('config_invalid', `unable to decrypt ${label}: an identity is not a valid age identity`, {
            hint: 'an identity is a line AGE-SECRET-KEY-1… (as written by age-keygen); comment lines start with #',
          }),
    );
  }
  return new AgeDecrypter(unwrap, label);
}

/** A new X25519 key pair: `identity` (AGE-SECRET-KEY-1…, secret) and `recipient` (age1…, public). */
export async function generateX25519Identity(): Promise<{ identity: string; recipient: string }> {
  const identity = await generateIdentity();
  return { identity, recipient: await identityToRecipient(identity) };
}

function headerKeys(opts: EncryptOptions) {
  if ('passphrase' in opts) {
    const logN = opts.scryptWorkFactor ?? DEFAULT_SCRYPT_WORK_FACTOR;
    if (!Number.isInteger(logN) || logN < 1 || logN > MAX_SCRYPT_WORK_FACTOR) {
      throw new LifeboatError('config_invalid', `unable to encrypt: scrypt work factor ${logN} is out of range`, {
        hint: `use an integer from 1 to ${MAX_SCRYPT_WORK_FACTOR}; the default is ${DEFAULT_SCRYPT_WORK_FACTOR}`,
      });
    }
    if (opts.passphrase.reveal() === '') throw noKey('encrypt', 'the passphrase is empty');
    return { passphrase: opts.passphrase.reveal(), scryptWorkFactor: logN };
  }
  const recipients = opts.recipients.map((r) => r.trim()).filter((r) => r !== '');
  if (recipients.length === 0) throw noKey('encrypt', 'no recipient given');
  for (const r of recipients) {
    try {
      if (!r.startsWith('age1')) throw new Error('unrecognized recipient type');
      new Encrypter().addRecipient(r); // parses it: a typo fails here, not at the first backup
    } catch {
      throw new LifeboatError('config_invalid', `unable to encrypt: ${JSON.stringify(r)} is not an age recipient`, {
        hint: 'a recipient is a public key age1… (age-keygen -y prints it from an identity)',
      });
    }
  }
  return { recipients };
}

function identityKeys(opts: DecryptOptions, label: string) {
  if ('passphrase' in opts) {
    if (opts.passphrase.reveal() === '') throw wrongKey(label);
    return { passphrase: opts.passphrase.reveal() };
  }
  // An identity secret may be a whole identity file: comments, blank lines, several keys.
  const identities = opts.identities.flatMap((s) =>
    s
      .reveal()
      .split(/\r?\n/)
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#')),
  );
  if (identities.length === 0) throw wrongKey(label);
  return { identities };
}

function noKey(action: string, problem: string): LifeboatError {
  return new LifeboatError('config_invalid', `unable to ${action}: ${problem}`, {
    hint: 'configure a passphrase or at least one recipient for the encryption of this database',
  });
}

function wrongKey(label: string): LifeboatError {
  return new LifeboatError('storage_failed', `unable to decrypt ${label}: wrong passphrase or identity`, {
    hint: 'use the passphrase or the identity the backup was encrypted with (its manifest names the mode); a damaged file header gives the same error',
  });
}

function corrupted(label: string, detail: string, cause?: unknown): LifeboatError {
  return new LifeboatError(
    'storage_failed',
    `unable to decrypt ${label}: the file is truncated or corrupted (${detail})`,
    {
      hint: 'the file was damaged in storage or in transit; verify the backup, and restore from another one if it is corrupt',
      cause,
    },
  );
}

/** A Transform that fails as soon as it is used. */
function failed(err: unknown): Transform {
  return new Transform({
    transform: (_chunk, _encoding, callback) => callback(err as Error),
    flush: (callback) => callback(err as Error),
  });
}

class AgeEncrypter extends Transform {
  readonly #build: () => Promise<SealedHeader>;
  #sealer: PayloadSealer | undefined;
  readonly #buf = Buffer.allocUnsafe(CHUNK_SIZE);
  #used = 0;

  constructor(build: () => Promise<SealedHeader>) {
    super();
    this.#build = build;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.#start().then((sealer) => {
      let data = chunk;
      while (data.length > 0) {
        // A full buffer is sealed only once more data arrives: the last chunk must carry the flag.
        if (this.#used === CHUNK_SIZE) {
          for (const part of sealer.seal(this.#buf, false)) this.push(part);
          this.#used = 0;
        }
        const n = data.copy(this.#buf, this.#used);
        this.#used += n;
        data = data.subarray(n);
      }
      callback();
    }, callback);
  }

  override _flush(callback: TransformCallback): void {
    this.#start().then((sealer) => {
      for (const part of sealer.seal(this.#buf.subarray(0, this.#used), true)) this.push(part);
      callback();
    }, callback);
  }

  async #start(): Promise<PayloadSealer> {
    if (this.#sealer) return this.#sealer;
    const { header, fileKey } = await this.#build();
    const nonce = randomBytes(PAYLOAD_NONCE_SIZE);
    this.push(header);
    this.push(nonce);
    this.#sealer = new PayloadSealer(payloadKey(fileKey, nonce));
    return this.#sealer;
  }
}

class AgeDecrypter extends Transform {
  readonly #unwrap: (header: Buffer) => Promise<UnwrapResult>;
  readonly #label: string;
  /** The bytes before the payload (header and nonce) while they arrive. */
  #head = Buffer.alloc(0);
  #opener: PayloadOpener | undefined;
  readonly #buf = Buffer.allocUnsafe(CHUNK_SIZE + TAG_SIZE);
  #used = 0;

  constructor(unwrap: (header: Buffer) => Promise<UnwrapResult>, label: string) {
    super();
    this.#unwrap = unwrap;
    this.#label = label;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    if (this.#opener) {
      callback(this.#open(chunk));
      return;
    }
    this.#head = Buffer.concat([this.#head, chunk]);
    const magic = this.#head.subarray(0, AGE_MAGIC.length);
    if (!AGE_MAGIC.subarray(0, magic.length).equals(magic)) {
      callback(
        new LifeboatError('storage_failed', `unable to decrypt ${this.#label}: it is not an age-encrypted file`, {
          hint: 'check that this backup was taken with encryption (its manifest says so) and that the right file is read',
        }),
      );
      return;
    }
    const end = findHeaderEnd(this.#head);
    if (end === undefined) {
      callback(
        this.#head.length > MAX_HEADER_SIZE ? corrupted(this.#label, 'no end of header in the first 1 MiB') : null,
      );
      return;
    }
    if (this.#head.length < end + PAYLOAD_NONCE_SIZE) {
      callback();
      return;
    }
    const header = this.#head.subarray(0, end);
    const nonce = this.#head.subarray(end, end + PAYLOAD_NONCE_SIZE);
    const rest = this.#head.subarray(end + PAYLOAD_NONCE_SIZE);
    this.#unwrap(header).then(
      (result) => {
        if ('noMatch' in result) {
          callback(wrongKey(this.#label));
          return;
        }
        this.#opener = new PayloadOpener(payloadKey(result.fileKey, nonce));
        this.#head = Buffer.alloc(0);
        callback(this.#open(rest));
      },
      (err: unknown) => callback(corrupted(this.#label, `header: ${(err as Error).message}`, err)),
    );
  }

  override _flush(callback: TransformCallback): void {
    if (!this.#opener) {
      const where = this.#head.length === 0 ? 'the file is empty' : 'it ends inside its header';
      callback(corrupted(this.#label, where));
      return;
    }
    try {
      const plaintext = this.#opener.open(this.#buf.subarray(0, this.#used), true);
      // Only an empty file has an empty last chunk: otherwise whole chunks were cut off the end.
      if (plaintext.length === 0 && this.#opener.index > 1) throw new Error('the final chunk is empty');
      this.push(plaintext);
      callback();
    } catch (err) {
      callback(corrupted(this.#label, (err as Error).message, err));
    }
  }

  /** Feeds payload bytes; returns the error if a chunk fails authentication. */
  #open(data: Buffer): LifeboatError | null {
    const opener = this.#opener!;
    try {
      while (data.length > 0) {
        // A full chunk is opened only once more data arrives: only the last one carries the flag.
        if (this.#used === this.#buf.length) {
          this.push(opener.open(this.#buf, false));
          this.#used = 0;
        }
        const n = data.copy(this.#buf, this.#used);
        this.#used += n;
        data = data.subarray(n);
      }
      return null;
    } catch (err) {
      return corrupted(this.#label, (err as Error).message, err);
    }
  }
}
