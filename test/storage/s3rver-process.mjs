// Runs s3rver (a real S3-compatible server) on a free loopback port for the storage tests, in
// its own process because s3rver signs ListObjectsV2 continuation tokens with DES, which
// OpenSSL 3 only offers under --openssl-legacy-provider: in the test process, any listing
// longer than one page fails with InternalError. Prints {"port":N} once listening, and shuts
// down when its stdin closes — so it also goes away if the test process dies.
// With a key and a certificate (PEM files) it serves HTTPS.
import { readFileSync } from 'node:fs';
import process from 'node:process';
import S3rver from 's3rver';

const [directory, bucket, key, cert] = process.argv.slice(2);
const server = new S3rver({
  address: '127.0.0.1',
  port: 0,
  silent: true,
  directory,
  configureBuckets: [{ name: bucket }],
  ...(key && cert ? { key: readFileSync(key), cert: readFileSync(cert) } : {}),
});
const { port } = await server.run();
process.stdout.write(`${JSON.stringify({ port })}\n`);
process.stdin.on('end', async () => {
  await server.close();
  process.exit(0);
});
process.stdin.resume();
