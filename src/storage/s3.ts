// The S3-compatible driver (AWS S3, Cloudflare R2, MinIO …) on the AWS SDK v3.
//
// Writes stream through a multipart upload (8 MiB parts, two in flight, so memory stays near
// 24 MiB whatever the object size). S3 only makes an object visible when the upload completes,
// so per-object atomicity comes from never completing a failed or aborted upload:
//  - an abort does not call `Upload.abort()`: that rejects `done()` at once while a part or the
//    final CompleteMultipartUpload may still be in flight, and the object can appear after we
//    reported the abort. Instead the body is cut off, which fails the upload from the inside:
//    lib-storage then waits for its in-flight parts, sends AbortMultipartUpload
//    (`leavePartsOnError: false`) and never sends the completion;
//  - an abort that arrives after the whole body was handed over deletes the finished object.
// Parts of an upload whose AbortMultipartUpload itself failed (the network is gone) are invisible
// to readers; a bucket lifecycle rule "abort incomplete multipart uploads" reclaims their space.

import { readFileSync } from 'node:fs';
import https from 'node:https';
import { pipeline, Readable, Transform } from 'node:stream';
import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  type GetObjectCommandOutput,
  HeadObjectCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { LifeboatError } from '../errors.js';
import { redact, type Secret } from '../lib/secret.js';
import {
  abortError,
  isAbortError,
  objectNotFound,
  type StorageOperation,
  type StorageSubject,
  storageFailed,
} from './errors.js';
import { refuseWrite, validateDeletePrefix, validateKey, validatePrefix } from './keys.js';
import { validateRange } from './range.js';
import { guardRead } from './read-guard.js';
import { classifyS3Error, isS3NotFound, s3ErrorCode, s3Reason, s3Status } from './s3-errors.js';
import type { ObjectStat, ReadOptions, Storage, WriteOptions } from './storage.js';

export interface S3StorageOptions {
  /** The storage's name in lifeboat.yaml. */
  name: string;
  bucket: string;
  /** For S3-compatible services (R2, MinIO); absent means AWS S3. */
  endpoint?: string;
  /** Default `auto` (R2's convention), which the SDK gets as us-east-1. */
  region?: string;
  /** A key prefix inside the bucket, with or without slashes around it. */
  prefix?: string;
  /** Path-style URLs (`endpoint/bucket/key`), which MinIO and s3rver need. */
  forcePathStyle?: boolean;
  /** Both or neither; neither uses the SDK's default credential chain. */
  accessKeyId?: Secret;
  secretAccessKey?: Secret;
  /** A PEM CA certificate file the https endpoint is checked against (a private CA). */
  ca?: string;
}

const PART_SIZE = 8 * 1024 * 1024;
const QUEUE_SIZE = 2;
const DELETE_BATCH = 1000;
/** Bounded failure for an unreachable endpoint: ≤ 3 attempts of ≤ 5 s to connect each. */
const CONNECTION_TIMEOUT_MS = 5_000;
const MAX_ATTEMPTS = 3;

/** A storage's CA certificate file (PEM); one that cannot be read is a configuration problem. */
export function readCaFile(path: string, storage: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new LifeboatError('config_invalid', `unable to read the CA certificate ${path}: ${(err as Error).message}`, {
      hint: `storage.${storage}.ca is the path of a PEM file, relative to lifeboat.yaml`,
    });
  }
}

export class S3Storage implements Storage {
  readonly kind = 's3' as const;
  readonly name: string;
  readonly #bucket: string;
  readonly #prefix: string;
  readonly #endpoint: string | undefined;
  readonly #secrets: Secret[];
  readonly #client: S3Client;

  constructor(opts: S3StorageOptions) {
    this.name = opts.name;
    this.#bucket = opts.bucket;
    this.#prefix = (opts.prefix ?? '').replace(/^\/+|\/+$/g, '');
    if (this.#prefix !== '') validateKey(this.#prefix);
    this.#endpoint = opts.endpoint;
    this.#secrets = [opts.accessKeyId, opts.secretAccessKey].filter((s): s is Secret => s !== undefined);
    const region = opts.region ?? 'auto';
    // The SDK warns on every process that it will need Node 22 from 2027; Lifeboat supports Node 20
    // (README), so the notice is noise in every CLI invocation. This is its documented switch.
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
    this.#client = new S3Client({
      region: region === 'auto' ? 'us-east-1' : region,
      endpoint: opts.endpoint,
      forcePathStyle: opts.forcePathStyle ?? false,
      credentials:
        opts.accessKeyId && opts.secretAccessKey
          ? { accessKeyId: opts.accessKeyId.reveal(), secretAccessKey: opts.secretAccessKey.reveal() }
          : undefined,
      maxAttempts: MAX_ATTEMPTS,
      requestHandler: {
        connectionTimeout: CONNECTION_TIMEOUT_MS,
        ...(opts.ca ? { httpsAgent: new https.Agent({ keepAlive: true, ca: readCaFile(opts.ca, opts.name) }) } : {}),
      },
      // Integrity end to end is the manifest's SHA-256, re-checked after every backup; the SDK's
      // default CRC32 headers are only "when required" so that every S3-compatible service accepts them.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  describe(): string {
    const where = `s3://${this.#bucket}${this.#prefix ? `/${this.#prefix}` : ''}`;
    return this.#endpoint === undefined ? where : `${where} at ${safeEndpoint(this.#endpoint)}`;
  }

  async write(key: string, body: Readable, opts: WriteOptions = {}): Promise<{ bytes: number }> {
    const { signal } = opts;
    const refusal = refuseWrite(key, signal);
    if (refusal) {
      body.destroy();
      throw refusal;
    }
    const subject = this.#subject('write', key);
    let bytes = 0;
    let bodyError: unknown;
    body.on('error', (err) => {
      bodyError ??= err;
    });
    const counted = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        bytes += chunk.length;
        callback(null, chunk);
      },
    });
    // Errors travel both ways: a failing body fails the upload, a cut-off upload stops the body.
    pipeline(body, counted, () => {});
    const onAbort = () => counted.destroy(abortError(signal!));
    signal?.addEventListener('abort', onAbort, { once: true });
    const upload = new Upload({
      client: this.#client,
      params: { Bucket: this.#bucket, Key: this.#full(key), Body: counted },
      partSize: PART_SIZE,
      queueSize: QUEUE_SIZE,
      leavePartsOnError: false,
    });
    try {
      await upload.done();
    } catch (err) {
      counted.destroy();
      if (signal?.aborted) throw abortError(signal);
      // An error from the body is the producer's (pg_dump, a decrypting stream …): passed through.
      if (bodyError !== undefined) throw bodyError;
      throw this.#error(subject, err);
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
    if (signal?.aborted) {
      const full = this.#full(key);
      await this.#call(subject, (c) => c.send(new DeleteObjectCommand({ Bucket: this.#bucket, Key: full }))).catch(
        () => {},
      );
      throw abortError(signal);
    }
    return { bytes };
  }

  async read(key: string, opts: ReadOptions = {}): Promise<Readable> {
    validateKey(key);
    const range = validateRange(opts.range);
    const { signal } = opts;
    const subject = this.#subject('read', key);
    let res: GetObjectCommandOutput;
    try {
      res = await this.#client.send(
        new GetObjectCommand({
          Bucket: this.#bucket,
          Key: this.#full(key),
          Range: range === undefined ? undefined : `bytes=${range.start}-${range.end ?? ''}`,
        }),
        { abortSignal: signal },
      );
    } catch (err) {
      if (signal?.aborted) throw abortError(signal);
      if (isS3NotFound(err)) throw objectNotFound(subject);
      // A range that starts past the end of the object reads as nothing, as on the filesystem.
      if (range !== undefined && (s3ErrorCode(err) === 'InvalidRange' || s3Status(err) === 416)) {
        return Readable.from([]);
      }
      throw this.#error(subject, err);
    }
    const body = res.Body instanceof Readable ? res.Body : Readable.from([]);
    return guardRead(body, {
      expectedBytes: res.ContentLength,
      signal,
      fail: (reason, cause) =>
        storageFailed(subject, reason, {
          hint: this.#hint(cause),
          cause: sanitizedCause(cause, this.#secrets),
          secrets: this.#secrets,
        }),
    });
  }

  async stat(key: string): Promise<ObjectStat | undefined> {
    validateKey(key);
    const subject = this.#subject('stat', key);
    try {
      const res = await this.#client.send(new HeadObjectCommand({ Bucket: this.#bucket, Key: this.#full(key) }));
      return { bytes: res.ContentLength ?? 0, modifiedAt: res.LastModified ?? new Date(0) };
    } catch (err) {
      if (isS3NotFound(err)) return undefined;
      throw this.#error(subject, err);
    }
  }

  async list(prefix: string): Promise<string[]> {
    validatePrefix(prefix);
    return this.#listKeys(prefix, this.#subject('list', `${prefix}*`));
  }

  async delete(key: string): Promise<void> {
    validateKey(key);
    const input = { Bucket: this.#bucket, Key: this.#full(key) };
    await this.#call(this.#subject('delete', key), (c) => c.send(new DeleteObjectCommand(input)));
  }

  async deletePrefix(prefix: string): Promise<number> {
    validateDeletePrefix(prefix);
    const subject = this.#subject('delete', `${prefix}*`);
    const keys = await this.#listKeys(prefix, subject);
    for (let i = 0; i < keys.length; i += DELETE_BATCH) {
      const batch = keys.slice(i, i + DELETE_BATCH);
      const input = {
        Bucket: this.#bucket,
        Delete: { Objects: batch.map((k) => ({ Key: this.#full(k) })), Quiet: true },
      };
      const res = await this.#call(subject, (c) => c.send(new DeleteObjectsCommand(input)));
      const failed = res.Errors ?? [];
      if (failed.length > 0) {
        const first = failed[0]!;
        throw storageFailed(
          subject,
          `${failed.length} of ${batch.length} objects were not deleted; the first, ${first.Key}: ${first.Code}: ${first.Message}`,
          { hint: 'check that the credentials may delete objects in this bucket, then prune again' },
        );
      }
    }
    return keys.length;
  }

  /** Reachable, the bucket exists and the credentials may list it (not a proof of write access). */
  async check(opts: { signal?: AbortSignal } = {}): Promise<void> {
    const input = { Bucket: this.#bucket, Prefix: this.#full(''), MaxKeys: 1 };
    const { signal } = opts;
    await this.#call(
      { storage: this, operation: 'check' },
      (c) => c.send(new ListObjectsV2Command(input), { abortSignal: signal }),
      signal,
    );
  }

  /** Releases the client's connections. */
  async close(): Promise<void> {
    this.#client.destroy();
  }

  async #listKeys(prefix: string, subject: StorageSubject): Promise<string[]> {
    const strip = this.#prefix === '' ? 0 : this.#prefix.length + 1;
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const input = { Bucket: this.#bucket, Prefix: this.#full(prefix), ContinuationToken: token };
      const res = await this.#call(subject, (c) => c.send(new ListObjectsV2Command(input)));
      for (const obj of res.Contents ?? []) {
        // "folder" placeholder objects some tools create are not objects of ours
        if (obj.Key !== undefined && !obj.Key.endsWith('/')) keys.push(obj.Key.slice(strip));
      }
      token = res.IsTruncated ? res.NextContinuationToken : undefined;
    } while (token !== undefined);
    return keys.sort();
  }

  #full(key: string): string {
    return this.#prefix === '' ? key : `${this.#prefix}/${key}`;
  }

  #subject(operation: StorageOperation, key: string): StorageSubject {
    return { storage: this, operation, key };
  }

  /** Runs one SDK call, turning its failure into a storage error (or an AbortError). */
  async #call<T>(subject: StorageSubject, call: (client: S3Client) => Promise<T>, signal?: AbortSignal): Promise<T> {
    try {
      return await call(this.#client);
    } catch (err) {
      if (signal?.aborted) throw abortError(signal);
      if (isAbortError(err)) throw err;
      throw this.#error(subject, err);
    }
  }

  #error(subject: StorageSubject, err: unknown): Error {
    return storageFailed(subject, s3Reason(err), {
      hint: this.#hint(err),
      cause: sanitizedCause(err, this.#secrets),
      secrets: this.#secrets,
    });
  }

  #hint(err: unknown): string {
    const kind = classifyS3Error(err);
    switch (kind) {
      case 'network':
        return `check that ${this.#endpoint === undefined ? 'S3' : safeEndpoint(this.#endpoint)} is reachable from this machine (address, port, firewall, proxy)`;
      case 'credentials':
        return `check the credentials of storage ${this.name} (access_key_id, secret_access_key) and that they may use bucket ${this.#bucket}`;
      case 'no_bucket':
        return `create bucket ${this.#bucket}, or correct the bucket of storage ${this.name}`;
      case 'other':
        return `check the configuration of storage ${this.name} and the health of the S3 service`;
      default: {
        const never: never = kind;
        return never;
      }
    }
  }
}

/**
 * The SDK's error carries the raw HTTP exchange, whose Authorization header names the access key:
 * logged as a cause, it would leak. The cause kept is a plain error with the useful parts only.
 */
function sanitizedCause(err: unknown, secrets: Secret[]): Error {
  const cause = new Error(redact(s3Reason(err), secrets));
  cause.name = err instanceof Error ? err.name : 'Error';
  const code = s3ErrorCode(err);
  if (code !== undefined) (cause as NodeJS.ErrnoException).code = code;
  return cause;
}

/** The endpoint without any user:password@ or query string, for messages. */
function safeEndpoint(endpoint: string): string {
  try {
    const url = new URL(endpoint);
    return `${url.protocol}//${url.host}${url.pathname === '/' ? '' : url.pathname}`;
  } catch {
    return '(an invalid endpoint URL)';
  }
}
