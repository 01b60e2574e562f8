// POST /api/v1/backups/:id/fetch: a backup's files, decrypted and verified by the server, streamed
// to the client (src/contract/fetch-stream.ts). A raw dump is production data in the clear: the
// fetch is authorised (`backup.fetch`: dba-admin, admin, recovery-operator) and audited
// (`backup.fetch`, with the user, the destination host and directory the client names and the
// address it came from) before the first byte is sent. The client never needs the storage's
// credentials nor the backup's keys.
import { once } from 'node:events';
import { openFetch } from '../../backup/fetch.js';
import { recordAuditAlone } from '../../audit/record.js';
import { BackupFetchRequest, BackupIdParams } from '../../contract/backups.js';
import { ErrorResponse } from '../../contract/errors.js';
import { FETCH_CONTENT_TYPE } from '../../contract/fetch-stream.js';
import { LifeboatError } from '../../errors.js';
import type { App } from '../app.js';
import { authorize } from '../auth.js';
import type { HttpDeps } from '../deps.js';

const FETCHABLE = new Set(['completed', 'verified', 'unverifiable']);

export function backupFetchRoute(app: App, deps: HttpDeps): void {
  app.post(
    '/api/v1/backups/:id/fetch',
    {
      schema: {
        summary: "Fetch a backup's files as pg_dump wrote them, verified (authorised and audited)",
        tags: ['backups'],
        params: BackupIdParams,
        body: BackupFetchRequest,
        produces: [FETCH_CONTENT_TYPE],
        response: {
          400: ErrorResponse,
          401: ErrorResponse,
          403: ErrorResponse,
          404: ErrorResponse,
          409: ErrorResponse,
          422: ErrorResponse,
          502: ErrorResponse,
        },
      },
    },
    async (req, reply) => {
      const row = await deps.db
        .selectFrom('backups')
        .selectAll()
        .where('id', '=', req.params.id)
        .where('deleted_at', 'is', null)
        .executeTakeFirst();
      if (!row) {
        throw new LifeboatError('not_found', `no backup ${req.params.id}`, {
          hint: 'list backups with `lifeboat backup list`',
        });
      }
      const { principal } = await authorize(deps, req, 'backup.fetch', {
        database: row.database,
        ownerTeam: deps.catalog.databases[row.database]?.owner,
      });
      if (!FETCHABLE.has(row.status)) {
        throw new LifeboatError('invalid_transition', `backup ${row.id} is ${row.status} and cannot be fetched`, {
          hint:
            row.status === 'corrupt'
              ? `its files do not match their checksums (${row.verify_error ?? 'see lifeboat backup show'}); fetch another backup`
              : 'only a completed backup can be fetched; wait until it has finished',
        });
      }
      const requestId = String(req.id);
      const fetch = await openFetch(deps, row, { actor: principal.user, requestId });
      const header = fetch.header;
      try {
        await recordAuditAlone(deps.db, {
          actor: principal.user,
          action: 'backup.fetch',
          subjectType: 'backup',
          subjectId: row.id,
          details: {
            database: row.database,
            destination: { host: req.body.host, dir: req.body.dir },
            from: req.ip,
            files: header.files.length,
            bytes: header.files.reduce((a, f) => a + f.bytes, 0),
          },
          requestId,
        });
      } catch (err) {
        await fetch.close();
        throw err;
      }
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, { 'content-type': FETCH_CONTENT_TYPE, 'cache-control': 'no-store' });
      // a client that goes away stops the reads from storage
      const gone = new AbortController();
      res.on('close', () => gone.abort(new Error('the client closed the fetch')));
      try {
        for await (const f of fetch.frames(gone.signal, (err) => req.log.error({ err }, 'backup fetch failed'))) {
          if (!res.write(f)) await Promise.race([once(res, 'drain'), once(res, 'close')]);
          if (gone.signal.aborted) break;
        }
      } finally {
        await fetch.close();
        res.end();
      }
    },
  );
}
