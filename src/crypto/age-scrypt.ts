// The age passphrase recipient and identity (the "scrypt" stanza), on Node's scrypt.
//
// typage ships the same, on a synchronous pure-JS scrypt: at the default work factor that blocks
// the event loop for about 1.5 s per file, freezing a worker's heartbeats and progress. Node's
// `crypto.scrypt` runs in the libuv thread pool instead and takes the same time. The stanza is
// the age spec's: `-> scrypt <salt, 16 bytes base64> <log2 N>`, body = the file key sealed with
// ChaCha20-Poly1305 (zero nonce) under scrypt(passphrase, "age-encryption.org/v1/scrypt" ‖ salt).
import { createCipheriv, createDecipheriv, randomBytes, scrypt } from 'node:crypto';
import { type Identity, type Recipient, Stanza } from 'age-encryption';

const LABEL = 'age-encryption.org/v1/scrypt';
/** typage's and age's default. */
export const DEFAULT_SCRYPT_WORK_FACTOR = 18;
/** The highest work factor accepted when decrypting (typage's limit): 2^20 × 1 KiB = 1 GiB of memory. */
export const MAX_SCRYPT_WORK_FACTOR = 20;

function deriveKey(passphrase: string, salt: Buffer, logN: number): Promise<Buffer> {
  const N = 2 ** logN;
  const r = 8;
  return new Promise((resolve, reject) => {
    scrypt(
      passphrase,
      Buffer.concat([Buffer.from(LABEL), salt]),
      32,
      { N, r, p: 1, maxmem: 128 * N * r + 4 * 1024 * 1024 },
      (err, key) => (err ? reject(err) : resolve(key)),
    );
  });
}

const ZERO_NONCE = Buffer.alloc(12);

/** Encrypts to a passphrase. Calls `onFileKey` with the file key (see age.ts for why). */
export class ScryptRecipient implements Recipient {
  readonly #passphrase: string;
  readonly #logN: number;
  readonly #onFileKey: (fileKey: Uint8Array) => void;

  constructor(passphrase: string, logN: number, onFileKey: (fileKey: Uint8Array) => void) {
    this.#passphrase = passphrase;
    this.#logN = logN;
    this.#onFileKey = onFileKey;
  }

  async wrapFileKey(fileKey: Uint8Array): Promise<Stanza[]> {
    this.#onFileKey(fileKey);
    const salt = randomBytes(16);
    const key = await deriveKey(this.#passphrase, salt, this.#logN);
    const cipher = createCipheriv('chacha20-poly1305', key, ZERO_NONCE, { authTagLength: 16 });
    const body = Buffer.concat([cipher.update(fileKey), cipher.final(), cipher.getAuthTag()]);
    return [new Stanza(['scrypt', salt.toString('base64').replace(/=+$/, ''), String(this.#logN)], body)];
  }
}

/** Decrypts with a passphrase: returns null (no match) when the passphrase is not the file's. */
export class ScryptIdentity implements Identity {
  readonly #passphrase: string;

  constructor(passphrase: string) {
    this.#passphrase = passphrase;
  }

  async unwrapFileKey(stanzas: Stanza[]): Promise<Uint8Array | null> {
    for (const s of stanzas) {
      if (s.args[0] !== 'scrypt') continue;
      // The spec forbids mixing: a passphrase file has exactly one stanza.
      if (stanzas.length !== 1) throw new Error('scrypt stanza is not the only one in the header');
      const [, saltText, logNText] = s.args;
      if (s.args.length !== 3 || !/^[A-Za-z0-9+/]{22}$/.test(saltText!) || !/^[1-9][0-9]*$/.test(logNText!)) {
        throw new Error('invalid scrypt stanza');
      }
      const logN = Number(logNText);
      if (logN > MAX_SCRYPT_WORK_FACTOR) throw new Error(`scrypt work factor ${logN} is too high`);
      if (s.body.length !== 32) throw new Error('invalid scrypt stanza');
      const key = await deriveKey(this.#passphrase, Buffer.from(saltText!, 'base64'), logN);
      const decipher = createDecipheriv('chacha20-poly1305', key, ZERO_NONCE, { authTagLength: 16 });
      decipher.setAuthTag(s.body.subarray(16));
      const fileKey = decipher.update(s.body.subarray(0, 16));
      try {
        decipher.final();
      } catch {
        return null; // a wrong passphrase
      }
      return fileKey;
    }
    return null;
  }
}
