// Turns what the AWS SDK throws (service errors, network errors, timeouts) into a reason in
// words and a hint for the operator. Credentials are redacted by `storageFailed`.
import { errnoOf, reasonOf } from './errors.js';

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'TimeoutError',
]);

const CREDENTIAL_CODES = new Set([
  'AccessDenied',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'ExpiredToken',
  'InvalidToken',
  'CredentialsProviderError',
]);

interface SdkError {
  name?: string;
  Code?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

/** The S3 error code (`NoSuchKey`, `AccessDenied` …), the errno of a network error, or the name. */
export function s3ErrorCode(err: unknown): string | undefined {
  if (err instanceof AggregateError && err.errors.length > 0) return s3ErrorCode(err.errors[0]);
  const e = err as SdkError | undefined;
  return e?.Code ?? errnoOf(err) ?? e?.name;
}

export function s3Status(err: unknown): number | undefined {
  return (err as SdkError | undefined)?.$metadata?.httpStatusCode;
}

export function isS3NotFound(err: unknown): boolean {
  const code = s3ErrorCode(err);
  return code === 'NoSuchKey' || code === 'NotFound' || s3Status(err) === 404;
}

export type S3ErrorKind = 'network' | 'credentials' | 'no_bucket' | 'other';

export function classifyS3Error(err: unknown): S3ErrorKind {
  const code = s3ErrorCode(err) ?? '';
  if (NETWORK_CODES.has(code)) return 'network';
  if (CREDENTIAL_CODES.has(code) || s3Status(err) === 403) return 'credentials';
  if (code === 'NoSuchBucket') return 'no_bucket';
  return 'other';
}

/** "NoSuchBucket: The specified bucket does not exist (HTTP 404)", or a network error's message. */
export function s3Reason(err: unknown): string {
  const message = reasonOf(err);
  const code = s3ErrorCode(err);
  const generic = code === undefined || code === 'Error' || code === 'UnknownError' || message.includes(code);
  const text = generic ? message : `${code}: ${message}`;
  const status = s3Status(err);
  return status === undefined ? text : `${text} (HTTP ${status})`;
}
