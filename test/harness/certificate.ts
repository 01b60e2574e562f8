// A self-signed TLS certificate for the loopback test servers (SMTP with STARTTLS, S3 over HTTPS):
// made by openssl (a system dependency of the tests), valid for localhost and 127.0.0.1. The
// certificate is also the CA the client is told to trust.
import { execFileSync } from 'node:child_process';
import { chmodSync } from 'node:fs';
import { join } from 'node:path';

/** Writes `key.pem` and `cert.pem` into `dir` (which stays the caller's to remove). */
export function selfSignedCertificate(dir: string): { key: string; cert: string } {
  const key = join(dir, 'key.pem');
  const cert = join(dir, 'cert.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '2',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
    ],
    { stdio: 'ignore' },
  );
  // readable by the postgres OS user too (pgBackRest gets a copy of it as its CA)
  chmodSync(dir, 0o755);
  chmodSync(cert, 0o644);
  return { key, cert };
}
