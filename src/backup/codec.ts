// How stored backup files are transformed on the way to and from storage: compression (zstd on
// the stream, by the machine's `zstd`; gzip is pg_dump's own and needs nothing here) and age
// encryption. Writing is file → [zstd] → [age] → storage; reading is the reverse.
import { spawn } from 'node:child_process';
import { Duplex, PassThrough, type Transform } from 'node:stream';
import { decryptStream, type DecryptOptions, encryptStream, type EncryptOptions } from '../crypto/age.js';
import { LifeboatError } from '../errors.js';

/** A Duplex over a `zstd` child process: bytes in, (de)compressed bytes out. */
export function zstdStream(mode: 'compress' | 'decompress', level = 1, label = 'a backup file'): Duplex {
  const args = mode === 'compress' ? ['-q', '-c', `-${level}`, '-T2'] : ['-q', '-d', '-c'];
  const child = spawn('zstd', args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const duplex = Duplex.from({ writable: child.stdin, readable: child.stdout });
  child.on('error', (err) =>
    duplex.destroy(
      new LifeboatError('engine_failed', `unable to run zstd: ${err.message}`, {
        hint: 'install zstd (apt-get install zstd)',
      }),
    ),
  );
  child.on('close', (code, signal) => {
    if (code !== 0 && !duplex.destroyed) {
      duplex.destroy(
        new LifeboatError(
          'storage_failed',
          `unable to ${mode} ${label}: zstd ${signal ? `was killed (${signal})` : `failed: ${stderr.trim()}`}`,
          {
            hint:
              mode === 'decompress' ? 'the stored file is corrupt; verify the backup' : 'check free memory and disk',
          },
        ),
      );
    }
  });
  duplex.on('close', () => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  return duplex;
}

export interface FileCodec {
  /** Suffix added to the file's name in storage, e.g. `.zst.age`. */
  suffix: string;
  encode(): Transform[];
  decode(label: string): Transform[];
}

export function fileCodec(o: {
  zstd: boolean;
  zstdLevel?: number;
  encrypt?: EncryptOptions;
  decrypt?: DecryptOptions;
}): FileCodec {
  const suffix = `${o.zstd ? '.zst' : ''}${o.encrypt || o.decrypt ? '.age' : ''}`;
  return {
    suffix,
    encode() {
      const t: Transform[] = [];
      if (o.zstd) t.push(zstdStream('compress', o.zstdLevel) as unknown as Transform);
      if (o.encrypt) t.push(encryptStream(o.encrypt));
      return t.length ? t : [new PassThrough()];
    },
    decode(label) {
      const t: Transform[] = [];
      if (o.decrypt) t.push(decryptStream(o.decrypt, label));
      if (o.zstd) t.push(zstdStream('decompress', 0, label) as unknown as Transform);
      return t.length ? t : [new PassThrough()];
    },
  };
}
