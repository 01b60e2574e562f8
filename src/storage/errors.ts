// Errors raised by the storage drivers, in one wording: "unable to <operation> <key> <to|from|in>
// storage <name> (<where>): <reason>", with a hint. Reasons come from the OS or the S3 service
// and are passed through `redact`, so a credential echoed by a driver never reaches a message.
import { LifeboatError } from '../errors.js';
import { redact, type Secret } from '../lib/secret.js';

export type StorageOperation = 'write' | 'read' | 'stat' | 'list' | 'delete' | 'check';

const PREPOSITION: Record<StorageOperation, string> = {
  write: 'to',
  read: 'from',
  stat: 'in',
  list: 'in',
  delete: 'from',
  check: '',
};

/** What the error is about: the storage, the operation and the key (or prefix) involved. */
export interface StorageSubject {
  storage: { readonly name: string; describe(): string };
  operation: StorageOperation;
  /** The key, or for list/deletePrefix the prefix (shown as `prefix*`). */
  key?: string;
}

function subjectText(s: StorageSubject): string {
  const where = `storage ${s.storage.name} (${s.storage.describe()})`;
  if (s.key === undefined) return `${s.operation} ${where}`;
  return `${s.operation} ${s.key} ${PREPOSITION[s.operation]} ${where}`;
}

/**
 * A storage driver could not do what was asked (unreachable, timed out, refused, out of space):
 * it says nothing about the objects themselves. A verification that meets one is inconclusive,
 * never a verdict that the backup is corrupt.
 */
export class StorageError extends LifeboatError {}

export function storageFailed(
  s: StorageSubject,
  reason: string,
  opts: { hint: string; cause?: unknown; secrets?: Iterable<Secret> },
): LifeboatError {
  const message = redact(`unable to ${subjectText(s)}: ${reason}`, opts.secrets ?? []);
  return new StorageError('storage_failed', message, { hint: opts.hint, cause: opts.cause });
}

export function objectNotFound(s: StorageSubject): LifeboatError {
  return new LifeboatError('not_found', `unable to ${subjectText(s)}: no such object`, {
    hint: 'the file may have been deleted or the backup pruned; list the backups to see what is there',
  });
}

/** A short reason for an error thrown by Node or an SDK: its message, else its code or name. */
export function reasonOf(err: unknown): string {
  if (err instanceof AggregateError && err.errors.length > 0 && !err.message) return reasonOf(err.errors[0]);
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    if (err.message) return err.message;
    return code ?? err.name;
  }
  return String(err);
}

export function errnoOf(err: unknown): string | undefined {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** The error an aborted operation rejects with, shaped like Node's own (`AbortError`, `ABORT_ERR`). */
export function abortError(signal: AbortSignal): Error {
  const err = new Error('the operation was aborted', { cause: signal.reason });
  err.name = 'AbortError';
  (err as NodeJS.ErrnoException).code = 'ABORT_ERR';
  return err;
}

export function isAbortError(err: unknown): boolean {
  return err instanceof Error && (err.name === 'AbortError' || errnoOf(err) === 'ABORT_ERR');
}
