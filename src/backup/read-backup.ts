// Reading a backup back: its manifest, and each file streamed out of storage with both checksums
// checked on the way (what is stored, and what pg_dump wrote after decryption and decompression).
// A mismatch is an error naming the file, the expected and the actual value — never silent garbage.
import { PassThrough, type Readable, type Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { buffer } from 'node:stream/consumers';
import type { DatabaseConfig } from '../catalog/types.js';
import { hashingPassThrough, hashLocalFile } from '../crypto/hashing.js';
import { LifeboatError } from '../errors.js';
import type { Storage } from '../storage/storage.js';
import { fileCodec, type FileCodec } from './codec.js';
import { backupDecryption } from './keys.js';
import { type BackupFile, Manifest, MANIFEST_FILE } from './manifest.js';

/** A file of a backup that is not what its manifest says: missing, of another size or checksum. */
export class CorruptBackupError extends LifeboatError {
  constructor(
    readonly backupId: string,
    readonly file: string,
    /** What is wrong with `file`, as the end of a sentence about it ("is missing"). */
    readonly problem: string,
  ) {
    super('backup_corrupt', `backup ${backupId} is corrupt: ${file} ${problem}`, {
      hint: `this backup cannot be restored: choose another one (\`lifeboat backup list\`), and check the others with \`lifeboat backup verify <id>\``,
    });
  }

  /** The file and its problem, as a verification records it. */
  get reason(): string {
    return `${this.file} ${this.problem}`;
  }
}

/** The problems a file can have, in the words of CorruptBackupError. */
export const damage = {
  missing: () => 'is missing',
  size: (expected: number, actual: number) => `has ${actual} bytes, the manifest says ${expected}`,
  sha256: (expected: string, actual: string) => `does not match its SHA-256 (expected ${expected}, got ${actual})`,
  content: (expected: string, actual: string) =>
    `does not match its SHA-256 after decryption and decompression (expected ${expected}, got ${actual})`,
};

export async function readManifest(storage: Storage, prefix: string, backupId: string): Promise<Manifest> {
  let raw: Buffer;
  try {
    raw = await buffer(await storage.read(`${prefix}${MANIFEST_FILE}`));
  } catch (err) {
    if ((err as LifeboatError).code === 'not_found')
      throw new CorruptBackupError(backupId, MANIFEST_FILE, damage.missing());
    throw err;
  }
  const parsed = Manifest.safeParse(JSON.parse(raw.toString('utf8')));
  if (!parsed.success) throw new CorruptBackupError(backupId, MANIFEST_FILE, 'is not a readable manifest');
  return parsed.data;
}

export interface BackupReader {
  manifest: Manifest;
  /** A file's original bytes, checked against both checksums as they stream (errors at the end on mismatch). */
  open(file: BackupFile, signal?: AbortSignal): Promise<Readable>;
  /**
   * Whether the stored file is corrupt, as an error naming it: after a consumer of `open` failed
   * on a file's content (so that the run says what is actually wrong), or to check a file read in
   * place. Storage that cannot be read gives no verdict, or with `strict` rejects.
   */
  diagnose(file: BackupFile, opts?: { strict?: boolean }): Promise<CorruptBackupError | undefined>;
  /**
   * The local path of a file stored exactly as pg_dump wrote it (no zstd, no encryption) on a
   * local filesystem storage: a reader may open it in place, then must `diagnose` it.
   */
  localFile(file: BackupFile): string | undefined;
}

export async function openBackup(
  storage: Storage,
  prefix: string,
  manifest: Manifest,
  database: DatabaseConfig | undefined,
): Promise<BackupReader> {
  const label = `backup ${manifest.id}`;
  const decrypt = manifest.encryption
    ? await backupDecryption(database?.backup?.encrypt, manifest.encryption.mode, storage, prefix, label)
    : undefined;
  const dataCodec = fileCodec({ zstd: manifest.compression.method === 'zstd', decrypt });
  const plainCodec = fileCodec({ zstd: false, decrypt });
  const diagnose = async (
    file: BackupFile,
    opts: { strict?: boolean } = {},
  ): Promise<CorruptBackupError | undefined> => {
    const key = `${prefix}${file.stored}`;
    // unreachable storage says nothing about the file: no verdict, unless one is required
    const unknown = (err: unknown) => {
      if (opts.strict) throw err;
      return null;
    };
    const stat = await storage.stat(key).catch(unknown);
    if (stat === undefined) return new CorruptBackupError(manifest.id, file.stored, damage.missing());
    const actual = stat && (await storedSha256(storage, key).catch(unknown));
    return actual && actual !== file.storedSha256
      ? new CorruptBackupError(manifest.id, file.stored, damage.sha256(file.storedSha256, actual))
      : undefined;
  };
  return {
    manifest,
    async open(file, signal) {
      const codec: FileCodec = file.stored.includes('.zst') ? dataCodec : plainCodec;
      const key = `${prefix}${file.stored}`;
      const stat = await storage.stat(key);
      if (!stat) throw new CorruptBackupError(manifest.id, file.stored, damage.missing());
      if (stat.bytes !== file.storedBytes) {
        throw new CorruptBackupError(manifest.id, file.stored, damage.size(file.storedBytes, stat.bytes));
      }
      // a consumer that stops reading (it failed, or was stopped) ends the read from storage too,
      // instead of leaving it paused for ever
      const reading = new AbortController();
      const stop = signal ? AbortSignal.any([signal, reading.signal]) : reading.signal;
      const source = await storage.read(key, { signal: stop });
      const stored = hashingPassThrough();
      const raw = hashingPassThrough();
      const out = new PassThrough({ highWaterMark: 1 << 20 });
      let settled = false;
      out.once('close', () => {
        if (!settled) reading.abort(new Error('the reader of the file stopped'));
      });
      const stages = codec.decode(`${label} file ${file.stored}`);
      pipeline(source, stored.stream, ...(stages as [Transform]), raw.stream, { signal: stop })
        .then(() => {
          const s = stored.digest();
          const r = raw.digest();
          if (s.sha256 !== file.storedSha256) {
            throw new CorruptBackupError(manifest.id, file.stored, damage.sha256(file.storedSha256, s.sha256));
          }
          if (r.sha256 !== file.sha256 || r.bytes !== file.bytes) {
            throw new CorruptBackupError(manifest.id, file.name, damage.content(file.sha256, r.sha256));
          }
          settled = true;
          out.end();
        })
        .catch(async (err) => {
          settled = true;
          // a damaged stored file usually fails decryption or decompression first; say what is
          // actually wrong (its checksum) when that is the case
          if (!(err instanceof CorruptBackupError) && !stop.aborted) err = (await diagnose(file)) ?? err;
          out.destroy(err);
        });
      raw.stream.on('data', (chunk) => {
        if (!out.write(chunk)) {
          raw.stream.pause();
          out.once('drain', () => raw.stream.resume());
        }
      });
      return out;
    },
    localFile(file) {
      return file.stored === file.name && storage.localPath ? storage.localPath(`${prefix}${file.stored}`) : undefined;
    },
    diagnose,
  };
}

export async function storedSha256(storage: Storage, key: string): Promise<string> {
  // a local file is hashed in place (faster than streaming it); one that cannot be read is the
  // driver's to report, in its own words
  const local = storage.localPath?.(key);
  const hashed = local ? await hashLocalFile(local).catch(() => undefined) : undefined;
  if (hashed) return hashed.sha256;
  const h = hashingPassThrough();
  await pipeline(await storage.read(key), h.stream, new PassThrough().resume());
  return h.digest().sha256;
}
