// /api/v1/backups: request, list, show, verify, cancel, prune and fetch (backup-fetch.ts) backups.
import { cancelBackup } from '../../backup/cancel.js';
import { backupDetail, backupDoc } from '../../backup/docs.js';
import { pruneBackups } from '../../backup/prune.js';
import { BACKUP_QUEUE, requestBackup, requestReverify } from '../../backup/service.js';
import { PITR_QUEUE, requestBackupAsAt } from '../../restore/pitr-source.js';
import { verifyBackup } from '../../backup/verify-backup.js';
import { TERMINAL_BACKUP_STATUSES } from '../../backup/status.js';
import { getDatabase } from '../../catalog/lookup.js';
import {
  BackupAsAtRequest,
  BackupDetail,
  BackupIdParams,
  BackupList,
  BackupListQuery,
  BackupRunRequest,
  BackupShowQuery,
  PruneRequest,
  PruneResult,
} from '../../contract/backups.js';
import { ErrorResponse } from '../../contract/errors.js';
import { teamScope } from '../../access/policy.js';
import { LifeboatError } from '../../errors.js';
import type { App } from '../app.js';
import { backupFetchRoute } from './backup-fetch.js';
import { authorize, principalOf } from '../auth.js';
import { pollingFeed } from '../../store/changes.js';
import type { HttpDeps } from '../deps.js';

const errors = { 400: ErrorResponse, 401: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse };

export function backupRoutes(app: App, deps: HttpDeps): void {
  const changes = deps.changes ?? pollingFeed(25);
  const resourceOf = (database: string) => {
    const d = getDatabase(deps.catalog, database);
    return { database: d.name, ownerTeam: d.owner };
  };
  const loadBackup = async (id: string) => {
    const row = await deps.db
      .selectFrom('backups')
      .selectAll()
      .where('id', '=', id)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    if (!row)
      throw new LifeboatError('not_found', `no backup ${id}`, { hint: 'list backups with `lifeboat backup list`' });
    return row;
  };

  app.post(
    '/api/v1/backups',
    {
      schema: {
        summary: 'Take a backup now (runs on a worker)',
        tags: ['backups'],
        body: BackupRunRequest,
        response: { 202: BackupDetail, ...errors },
      },
    },
    async (req, reply) => {
      const { principal } = await authorize(deps, req, 'backup.run', resourceOf(req.body.database));
      if (!deps.queue) throw new LifeboatError('store_unavailable', 'the job queue is not running in this process');
      const { id } = await requestBackup(deps.db, deps.queue, deps.catalog, {
        database: req.body.database,
        actor: principal.user,
        trigger: 'manual',
        requestId: String(req.id),
      });
      deps.wake?.(BACKUP_QUEUE);
      return reply.status(202).send(backupDetail(await loadBackup(id), false));
    },
  );

  app.post(
    '/api/v1/backups/as-at',
    {
      schema: {
        summary: 'Prepare a restore source: the database as it was at a time (recovered and backed up on a worker)',
        description:
          'For a database whose server has physical backups (pgbackrest). The time is checked against the recovery window before anything is written (400 outside it). Answers 202 with the queued backup (trigger pitr, `at`); follow its `progress` (restoring_files, replaying_wal, dumping, verifying) with GET /api/v1/backups/:id?wait=N&changed=true, then request the restore with `backupId`. A backup of the same database and time that is being prepared or is good is answered (200) instead of a new one. Allowed to whoever may request a restore of the database.',
        tags: ['backups'],
        body: BackupAsAtRequest,
        response: { 200: BackupDetail, 202: BackupDetail, ...errors },
      },
    },
    async (req, reply) => {
      const { principal } = await authorize(deps, req, 'restore.request', resourceOf(req.body.database));
      if (!deps.queue) throw new LifeboatError('store_unavailable', 'the job queue is not running in this process');
      const { id, created } = await requestBackupAsAt(
        { db: deps.db, queue: deps.queue, catalog: deps.catalog },
        getDatabase(deps.catalog, req.body.database),
        new Date(req.body.at),
        principal.user,
        String(req.id),
      );
      if (created) deps.wake?.(PITR_QUEUE);
      return reply.status(created ? 202 : 200).send(backupDetail(await loadBackup(id), false));
    },
  );

  app.get(
    '/api/v1/backups',
    {
      schema: {
        summary: 'Backups, newest first',
        tags: ['backups'],
        querystring: BackupListQuery,
        response: { 200: BackupList, ...errors },
      },
    },
    async (req) => {
      if (req.query.database) await authorize(deps, req, 'backup.view', resourceOf(req.query.database));
      // without a database filter, only the databases this user may see: their owners are in the
      // catalog, so the filter is the list of those databases, applied before the limit so that
      // a page is full
      const scope = teamScope(principalOf(req), 'backup.view', deps.catalog.policy);
      const visible = Object.values(deps.catalog.databases)
        .filter((d) => scope.all || scope.teams.includes(d.owner))
        .map((d) => d.name);
      if (!scope.all && visible.length === 0) return { backups: [] };
      let q = deps.db
        .selectFrom('backups')
        .selectAll()
        .where('deleted_at', 'is', null)
        .orderBy('created_at', 'desc')
        .limit(req.query.limit);
      if (!scope.all) q = q.where('database', 'in', visible);
      if (req.query.database) q = q.where('database', '=', getDatabase(deps.catalog, req.query.database).name);
      return { backups: (await q.execute()).map(backupDoc) };
    },
  );

  app.get(
    '/api/v1/backups/:id',
    {
      schema: {
        summary: 'One backup, with its manifest (and run log with ?log=true)',
        tags: ['backups'],
        params: BackupIdParams,
        querystring: BackupShowQuery,
        response: { 200: BackupDetail, ...errors },
      },
    },
    async (req) => {
      let row = await loadBackup(req.params.id);
      await authorize(deps, req, 'backup.view', {
        database: row.database,
        ownerTeam: deps.catalog.databases[row.database]?.owner,
      });
      // ?wait=N answers as soon as the backup has finished (the CLI's --wait), at most N seconds on;
      // with &changed=true, as soon as its status or its progress changes (a client showing progress)
      const until = Date.now() + (req.query.wait ?? 0) * 1000;
      const stateOf = (r: typeof row) => `${r.status} ${JSON.stringify(r.progress)}`;
      const first = stateOf(row);
      const done = (r: typeof row) =>
        TERMINAL_BACKUP_STATUSES.has(r.status) || (req.query.changed && stateOf(r) !== first);
      while (!done(row) && Date.now() < until && !req.raw.socket.destroyed) {
        // listening before reading: a change in between is not missed
        const changed = changes.next(`backup:${row.id}`, Math.min(1000, until - Date.now()));
        row = await loadBackup(req.params.id);
        if (!done(row)) await changed;
      }
      return backupDetail(row, req.query.log);
    },
  );

  app.post(
    '/api/v1/backups/:id/verify',
    {
      schema: {
        summary: 'Re-read and check every file of a backup',
        tags: ['backups'],
        params: BackupIdParams,
        response: { 200: BackupDetail, ...errors },
      },
    },
    async (req) => {
      const row = await loadBackup(req.params.id);
      const { principal } = await authorize(deps, req, 'backup.verify', {
        database: row.database,
        ownerTeam: deps.catalog.databases[row.database]?.owner,
      });
      if (!['completed', 'verified', 'corrupt', 'unverifiable'].includes(row.status)) {
        throw new LifeboatError(
          'invalid_transition',
          `backup ${row.id} is ${row.status}: only a finished backup can be verified`,
          {
            hint: 'wait until it has finished',
          },
        );
      }
      const verdict = await verifyBackup({ db: deps.db, catalog: deps.catalog }, row.id, {
        actor: principal.user,
        requestId: String(req.id),
      });
      if (verdict.status === 'unverifiable' && deps.queue) await requestReverify(deps.queue, row.id);
      return backupDetail(await loadBackup(row.id), false);
    },
  );

  app.post(
    '/api/v1/backups/:id/cancel',
    {
      schema: {
        summary: 'Cancel a queued or running backup: its worker stops and removes what it wrote',
        description:
          'A backup being taken, or a database being prepared as it was at a time (its scratch instance is removed). The backup becomes `cancelled` at once; its worker stops within a few seconds (follow it with GET /api/v1/backups/:id). 409 for a backup that is already written or ended. The requester may cancel their own; others need backup.run on the database.',
        tags: ['backups'],
        params: BackupIdParams,
        response: { 200: BackupDetail, ...errors },
      },
    },
    async (req) => {
      const row = await loadBackup(req.params.id);
      const p = principalOf(req);
      if (p.user !== row.requested_by) {
        await authorize(deps, req, 'backup.run', {
          database: row.database,
          ownerTeam: deps.catalog.databases[row.database]?.owner,
        });
      }
      await cancelBackup(deps.db, row.id, p.user, String(req.id));
      return backupDetail(await loadBackup(row.id), false);
    },
  );

  app.post(
    '/api/v1/backups/prune',
    {
      schema: {
        summary: 'Apply retention: delete backups no rule keeps (never the newest verified one)',
        tags: ['backups'],
        body: PruneRequest,
        response: { 200: PruneResult, ...errors },
      },
    },
    async (req) => {
      const resource = req.body.database ? resourceOf(req.body.database) : {};
      const { principal } = await authorize(deps, req, 'backup.prune', resource);
      return pruneBackups(
        { db: deps.db, catalog: deps.catalog },
        { database: req.body.database, dryRun: req.body.dryRun, actor: principal.user, requestId: String(req.id) },
      );
    },
  );

  backupFetchRoute(app, deps);
}
