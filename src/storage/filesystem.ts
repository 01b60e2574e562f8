// The filesystem driver: objects are files under a root directory, keys are relative paths.
//
// A write goes to `<key>.partial-<random>` beside the target, is fsynced, then renamed over the
// target (and the directory fsynced), so a crash, a full disk or an abort never leaves a
// half-written file under the key: rename is atomic on POSIX filesystems. Partial files are
// never listed, and `deletePrefix` sweeps the ones a killed process left behind.
import { randomBytes } from 'node:crypto';
import type { Dirent } from 'node:fs';
import { type FileHandle, mkdir, open, readdir, rename, rm, rmdir, statfs } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { addAbortSignal, Readable } from 'node:stream';
import {
  abortError,
  errnoOf,
  objectNotFound,
  reasonOf,
  type StorageOperation,
  type StorageSubject,
  storageFailed,
} from './errors.js';
import { isLifeboatError } from '../errors.js';
import { PARTIAL_MARKER, refuseWrite, validateDeletePrefix, validateKey, validatePrefix } from './keys.js';
import { clampRange, validateRange } from './range.js';
import { guardRead } from './read-guard.js';
import type { ObjectStat, ReadOptions, Storage, WriteOptions } from './storage.js';

export interface FilesystemStorageOptions {
  /** The storage's name in lifeboat.yaml. */
  name: string;
  /** The directory holding the objects; created on the first write. */
  root: string;
}

const MISSING = new Set(['ENOENT', 'ENOTDIR']);

export class FilesystemStorage implements Storage {
  readonly kind = 'filesystem' as const;
  readonly name: string;
  readonly root: string;

  constructor(opts: FilesystemStorageOptions) {
    this.name = opts.name;
    this.root = resolve(opts.root);
  }

  describe(): string {
    return this.root;
  }

  async write(key: string, body: Readable, opts: WriteOptions = {}): Promise<{ bytes: number }> {
    const { signal } = opts;
    const refusal = refuseWrite(key, signal);
    if (refusal) {
      body.destroy();
      throw refusal;
    }
    const subject = this.#subject('write', key);
    const target = this.#path(key);
    const partial = `${target}${PARTIAL_MARKER}${randomBytes(6).toString('hex')}`;
    const source = signal ? addAbortSignal(signal, body) : body;
    let handle: FileHandle | undefined;
    let bytes = 0;
    try {
      handle = await this.#fs(subject, this.#createPartial(partial));
      for await (const chunk of source) {
        const buf: Buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
        await this.#fs(subject, writeAll(handle, buf));
        bytes += buf.length;
      }
      // The data must be on disk before the rename makes it visible under the key.
      await this.#fs(subject, handle.sync());
      await this.#fs(subject, handle.close());
      handle = undefined;
      if (signal?.aborted) throw abortError(signal);
      await this.#fs(subject, rename(partial, target));
    } catch (err) {
      await handle?.close().catch(() => {});
      await rm(partial, { force: true }).catch(() => {});
      body.destroy();
      // An error from the body is the producer's (pg_dump, a decrypting stream …): passed through.
      throw signal?.aborted ? abortError(signal) : err;
    }
    await syncDirectory(dirname(target));
    return { bytes };
  }

  async read(key: string, opts: ReadOptions = {}): Promise<Readable> {
    validateKey(key);
    const range = validateRange(opts.range);
    const subject = this.#subject('read', key);
    const { signal } = opts;
    if (signal?.aborted) throw abortError(signal);
    let handle: FileHandle;
    let size: number;
    try {
      handle = await open(this.#path(key), 'r');
    } catch (err) {
      if (MISSING.has(errnoOf(err) ?? '')) throw objectNotFound(subject);
      throw this.#error(subject, err);
    }
    try {
      const st = await handle.stat();
      if (!st.isFile()) throw objectNotFound(subject);
      size = st.size;
    } catch (err) {
      await handle.close();
      throw isLifeboatError(err) ? err : this.#error(subject, err);
    }
    const { start, end } = clampRange(range, size);
    if (end === undefined) await handle.close();
    // 1 MiB reads: half the time of the default 64 KiB when hashing or streaming a large file
    const raw =
      end === undefined
        ? Readable.from([])
        : handle.createReadStream({ start, end, autoClose: true, highWaterMark: 1 << 20 });
    return guardRead(raw, {
      expectedBytes: end === undefined ? 0 : end - start + 1,
      signal,
      fail: (reason, cause) => storageFailed(subject, reason, { hint: this.#hintFor(cause), cause }),
    });
  }

  async stat(key: string): Promise<ObjectStat | undefined> {
    validateKey(key);
    const subject = this.#subject('stat', key);
    try {
      const handle = await open(this.#path(key), 'r');
      try {
        const st = await handle.stat();
        return st.isFile() ? { bytes: st.size, modifiedAt: st.mtime } : undefined;
      } finally {
        await handle.close();
      }
    } catch (err) {
      if (MISSING.has(errnoOf(err) ?? '')) return undefined;
      throw this.#error(subject, err);
    }
  }

  async list(prefix: string): Promise<string[]> {
    validatePrefix(prefix);
    const found = await this.#walk(prefix, 'list');
    return found.keys.sort();
  }

  async delete(key: string): Promise<void> {
    validateKey(key);
    const subject = this.#subject('delete', key);
    const path = this.#path(key);
    try {
      await rm(path, { force: true });
    } catch (err) {
      // A directory is not an object: there is nothing to delete under this key.
      if (errnoOf(err) === 'ERR_FS_EISDIR' || errnoOf(err) === 'EISDIR') return;
      throw this.#error(subject, err);
    }
    await this.#pruneEmptyDirs([dirname(path)]);
  }

  async deletePrefix(prefix: string): Promise<number> {
    validateDeletePrefix(prefix);
    const found = await this.#walk(prefix, 'delete');
    const subject = this.#subject('delete', `${prefix}*`);
    for (const key of [...found.keys, ...found.partials]) {
      await this.#fs(subject, rm(this.#path(key), { force: true }));
    }
    // the prefix's own directory goes too when nothing is left in it, even if it held no object
    // (what a writer outside this driver, such as pg_dump, created and left empty)
    const own = prefix.endsWith('/') ? [this.#path(prefix.slice(0, -1))] : [];
    await this.#pruneEmptyDirs([...[...found.keys, ...found.partials].map((k) => dirname(this.#path(k))), ...own]);
    return found.keys.length;
  }

  async check(opts: { signal?: AbortSignal } = {}): Promise<void> {
    const subject: StorageSubject = { storage: this, operation: 'check' };
    if (opts.signal?.aborted) throw abortError(opts.signal);
    // A partial-marked name is never listed, so a concurrent list() cannot see the probe.
    const probe = join(this.root, `.lifeboat-check${PARTIAL_MARKER}${randomBytes(6).toString('hex')}`);
    await this.#fs(subject, mkdir(this.root, { recursive: true }));
    const handle = await this.#fs(subject, open(probe, 'wx'));
    try {
      await this.#fs(subject, handle.write(Buffer.from('lifeboat\n')));
    } finally {
      await handle.close().catch(() => {});
      await rm(probe, { force: true }).catch(() => {});
    }
  }

  async freeBytes(): Promise<number | undefined> {
    try {
      const st = await statfs(this.root);
      return st.bavail * st.bsize;
    } catch {
      return undefined;
    }
  }

  localPath(key: string): string {
    return this.#path(key);
  }

  #path(key: string): string {
    return join(this.root, ...key.split('/'));
  }

  #subject(operation: StorageOperation, key: string): StorageSubject {
    return { storage: this, operation, key };
  }

  async #createPartial(partial: string): Promise<FileHandle> {
    await mkdir(dirname(partial), { recursive: true });
    try {
      return await open(partial, 'wx');
    } catch (err) {
      // A concurrent deletePrefix may have pruned the directory between mkdir and open: once more.
      if (errnoOf(err) !== 'ENOENT') throw err;
      await mkdir(dirname(partial), { recursive: true });
      return await open(partial, 'wx');
    }
  }

  /** Runs a filesystem operation, turning its failure into a storage error. */
  async #fs<T>(subject: StorageSubject, op: Promise<T>): Promise<T> {
    try {
      return await op;
    } catch (err) {
      throw this.#error(subject, err);
    }
  }

  #error(subject: StorageSubject, err: unknown): Error {
    return storageFailed(subject, reasonOf(err), { hint: this.#hintFor(err), cause: err });
  }

  #hintFor(err: unknown): string {
    switch (errnoOf(err)) {
      case 'ENOSPC':
      case 'EDQUOT':
        return `free space on ${this.root} or choose another storage`;
      case 'EACCES':
      case 'EPERM':
      case 'EROFS':
        return `check that the Lifeboat process may write to ${this.root}`;
      default:
        return `check the filesystem holding ${this.root}`;
    }
  }

  /** Keys (and leftover partial files) under `prefix`, visiting only directories that can match. */
  async #walk(prefix: string, operation: StorageOperation): Promise<{ keys: string[]; partials: string[] }> {
    const found = { keys: [] as string[], partials: [] as string[] };
    const subject = this.#subject(operation, `${prefix}*`);
    const visit = async (dirKey: string): Promise<void> => {
      let entries: Dirent[];
      try {
        entries = await readdir(join(this.root, dirKey), { withFileTypes: true });
      } catch (err) {
        if (MISSING.has(errnoOf(err) ?? '')) return;
        throw this.#error(subject, err);
      }
      for (const entry of entries) {
        const key = dirKey + entry.name;
        if (entry.isDirectory()) {
          const dir = `${key}/`;
          if (dir.startsWith(prefix) || prefix.startsWith(dir)) await visit(dir);
        } else if (entry.isFile() && key.startsWith(prefix)) {
          (entry.name.includes(PARTIAL_MARKER) ? found.partials : found.keys).push(key);
        }
      }
    };
    await visit(prefix.slice(0, prefix.lastIndexOf('/') + 1));
    return found;
  }

  /** Removes directories left empty, bottom-up, never the root itself. */
  async #pruneEmptyDirs(dirs: string[]): Promise<void> {
    const byDepth = [...new Set(dirs)].sort((a, b) => b.length - a.length);
    for (let dir of byDepth) {
      while (dir.startsWith(this.root + sep) && dir !== this.root) {
        try {
          await rmdir(dir);
        } catch {
          break; // not empty (or already gone): its parents are not empty either
        }
        dir = dirname(dir);
      }
    }
  }
}

async function writeAll(handle: FileHandle, buf: Buffer): Promise<void> {
  let offset = 0;
  while (offset < buf.length) {
    const { bytesWritten } = await handle.write(buf, offset, buf.length - offset);
    offset += bytesWritten;
  }
}

/** Makes a rename durable. Best effort: some filesystems cannot fsync a directory. */
async function syncDirectory(dir: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // the rename is done; only its durability across a power loss is not confirmed
  } finally {
    await handle?.close().catch(() => {});
  }
}
