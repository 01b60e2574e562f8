// /api/v1/physical: pgBackRest stanzas of servers with physical backups — set up, back up (on a
// worker), list the recorded backups, and the WAL archiving status (the RPO achievable now).
// Physical backups belong to a server, not to a database: viewing them is `dr.view` (DBAs,
// recovery operators, auditors), setting up and running them `backup.physical` (DBAs).
import {
  ArchiveStatusDoc,
  PhysicalBackupList,
  PhysicalListQuery,
  PhysicalRunQueued,
  PhysicalRunRequest,
  PhysicalSetupResult,
  ServerParams,
} from '../../contract/physical.js';
import { ErrorResponse } from '../../contract/errors.js';
import { LifeboatError } from '../../errors.js';
import { archiveStatus, readStanzaInfo, recordStanzaInfo } from '../../physical/backup.js';
import { getRepo, getServerOf } from '../../physical/lookup.js';
import { PHYSICAL_BACKUP_QUEUE, physicalBackupDoc, requestPhysicalBackup } from '../../physical/service.js';
import { setupStanza } from '../../physical/setup.js';
import { recordAuditAlone } from '../../audit/record.js';
import type { App } from '../app.js';
import { authorize } from '../auth.js';
import type { HttpDeps } from '../deps.js';

const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse };

export function physicalRoutes(app: App, deps: HttpDeps): void {
  app.post(
    '/api/v1/physical/:server/setup',
    {
      schema: {
        summary: "Write the server's pgbackrest.conf, create the stanza, check WAL archiving",
        tags: ['physical'],
        params: ServerParams,
        response: { 200: PhysicalSetupResult, ...errors, 502: ErrorResponse },
      },
    },
    async (req) => {
      const { principal } = await authorize(deps, req, 'backup.physical');
      const r = await setupStanza(deps.catalog, req.params.server);
      await recordAuditAlone(deps.db, {
        actor: principal.user,
        action: 'backup.physical.setup',
        subjectType: 'server',
        subjectId: r.server,
        details: { stanza: r.stanza, archiving: r.archiving },
        requestId: String(req.id),
      });
      return { ...r, settings: { ...r.settings } };
    },
  );

  app.post(
    '/api/v1/physical/:server/backups',
    {
      schema: {
        summary: 'Take a physical backup now (full, diff or incr; runs on a worker)',
        tags: ['physical'],
        params: ServerParams,
        body: PhysicalRunRequest,
        response: { 202: PhysicalRunQueued, ...errors },
      },
    },
    async (req, reply) => {
      const { principal } = await authorize(deps, req, 'backup.physical');
      if (!deps.queue) throw new LifeboatError('store_unavailable', 'the job queue is not running in this process');
      const server = getServerOf(deps.catalog, req.params.server);
      const { jobId } = await requestPhysicalBackup(deps.db, deps.queue, deps.catalog, {
        server: server.name,
        type: req.body.type,
        actor: principal.user,
        trigger: 'manual',
        requestId: String(req.id),
      });
      deps.wake?.(PHYSICAL_BACKUP_QUEUE);
      return reply.status(202).send({ server: server.name, type: req.body.type, jobId });
    },
  );

  app.get(
    '/api/v1/physical/backups',
    {
      schema: {
        summary: 'Recorded physical backups, newest first',
        tags: ['physical'],
        querystring: PhysicalListQuery,
        response: { 200: PhysicalBackupList, ...errors },
      },
    },
    async (req) => {
      await authorize(deps, req, 'dr.view');
      if (req.query.server) getServerOf(deps.catalog, req.query.server);
      let q = deps.db.selectFrom('physical_backups').selectAll().where('expired_at', 'is', null);
      if (req.query.server) q = q.where('server', '=', req.query.server);
      const rows = await q.orderBy('stopped_at', 'desc').limit(req.query.limit).execute();
      return { backups: rows.map(physicalBackupDoc) };
    },
  );

  app.get(
    '/api/v1/physical/:server/status',
    {
      schema: {
        summary: "The stanza's WAL archiving status: newest archived segment and when (the RPO achievable now)",
        tags: ['physical'],
        params: ServerParams,
        response: { 200: ArchiveStatusDoc, ...errors, 502: ErrorResponse },
      },
    },
    async (req) => {
      await authorize(deps, req, 'dr.view');
      const server = getServerOf(deps.catalog, req.params.server);
      const storage = getRepo(deps.catalog, server);
      const info = await readStanzaInfo(server, storage);
      // reading the repository also refreshes the catalog (backups expired by retention, new ones)
      await recordStanzaInfo(deps.db, server, info);
      const s = await archiveStatus(server, storage, info);
      return {
        ...s,
        lastArchivedAt: s.lastArchivedAt?.toISOString() ?? null,
        lastFailedAt: s.lastFailedAt?.toISOString() ?? null,
        stanzaStatus: info.status.message,
        backups: info.backups.length,
      };
    },
  );
}
