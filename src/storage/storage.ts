// The storage driver interface: where backup files live. Every backup file goes through it, so
// the drivers (filesystem, S3-compatible) are interchangeable and tested by one behaviour suite.
//
// The one guarantee a driver gives is per-object atomicity: a write that fails or is aborted
// leaves no object under its key, so a reader sees either the whole object or none. A backup as
// a whole is "complete" only once its manifest is written, last, by the backup module.
//
// Like Kysely's `Dialect`, required operations (`Storage`) are kept apart from optional ones
// (`StorageExtras`): a caller tests for an optional one before using it.
import type { Readable } from 'node:stream';

export type StorageKind = 'filesystem' | 's3';

export interface WriteOptions {
  /** Aborting rejects the write with an `AbortError` and leaves no object under the key. */
  signal?: AbortSignal;
}

export interface ReadOptions {
  signal?: AbortSignal;
  /** Byte range; `end` is inclusive (as in HTTP `Range` and `fs.createReadStream`). */
  range?: { start: number; end?: number };
}

export interface ObjectStat {
  bytes: number;
  /** When the object was last written (S3: whole seconds). */
  modifiedAt: Date;
}

export interface StorageRequired {
  /** The storage's name in lifeboat.yaml, for messages. */
  readonly name: string;
  readonly kind: StorageKind;
  /**
   * Streams `body` to `key`, replacing any object there once (and only if) the whole body is
   * stored. Consumes `body`; on failure or abort it is destroyed. Rejects with a LifeboatError
   * (`storage_failed`, `invalid_request` for a bad key) or an `AbortError`.
   */
  write(key: string, body: Readable, opts?: WriteOptions): Promise<{ bytes: number }>;
  /** Opens `key` for reading. Rejects with `not_found` if there is no such object. */
  read(key: string, opts?: ReadOptions): Promise<Readable>;
  /** The object's size and when it was last written, or undefined if there is none. */
  stat(key: string): Promise<ObjectStat | undefined>;
  /** Every key starting with `prefix` (a string prefix, recursive), sorted. `''` lists all. */
  list(prefix: string): Promise<string[]>;
  /** Removes `key`; removing a missing key is not an error. */
  delete(key: string): Promise<void>;
  /** Removes every key starting with `prefix` (which must not be empty); returns how many. */
  deletePrefix(prefix: string): Promise<number>;
  /** Where the storage points, safe for logs and messages (no credentials). */
  describe(): string;
}

export interface StorageExtras {
  /** Checks that the storage is reachable and writable, without leaving anything behind. */
  check?(opts?: { signal?: AbortSignal }): Promise<void>;
  /** Free bytes where the storage writes, when the driver can tell (a local filesystem can). */
  freeBytes?(): Promise<number | undefined>;
  /**
   * The local path of `key`'s object, for a driver whose objects are local files (so that a
   * reader may open the file itself instead of streaming it).
   */
  localPath?(key: string): string;
  /** Releases what the driver holds open (the S3 client's connections). */
  close?(): Promise<void>;
}

export interface Storage extends StorageRequired, StorageExtras {}
