// /api/v1/…/schema: snapshots of a database's schema, diffs between any two schemas (live, snapshot,
// backup, document), drift against the accepted reference, and accepting the current schema.
import { getDatabase } from '../../catalog/lookup.js';
import { ErrorResponse } from '../../contract/errors.js';
import { DatabaseNameParams } from '../../contract/masking.js';
import {
  AcceptRequest,
  DiffRequest,
  DiffResult,
  DriftResult,
  SnapshotDoc,
  SnapshotIdParams,
  SnapshotList,
  SnapshotSummary,
} from '../../contract/schema.js';
import { compareSides } from '../../schema/compare.js';
import { checkDrift } from '../../schema/drift.js';
import { withScratch } from '../../schema/materialise.js';
import { resolveSide, sideDatabase } from '../../schema/sides.js';
import { getSnapshot, listSnapshots, takeSnapshot } from '../../schema/snapshots.js';
import type { App } from '../app.js';
import { authorize } from '../auth.js';
import type { HttpDeps } from '../deps.js';

const errors = {
  400: ErrorResponse,
  401: ErrorResponse,
  403: ErrorResponse,
  404: ErrorResponse,
  502: ErrorResponse,
};

export function schemaRoutes(app: App, deps: HttpDeps): void {
  app.post(
    '/api/v1/databases/:name/schema/snapshots',
    {
      schema: {
        summary: "Take a snapshot of the database's live schema and keep it, with its fingerprint",
        tags: ['schema'],
        params: DatabaseNameParams,
        response: { 200: SnapshotDoc, ...errors },
      },
    },
    async (req) => {
      const database = getDatabase(deps.catalog, req.params.name);
      const { principal } = await authorize(deps, req, 'schema.snapshot', {
        database: database.name,
        ownerTeam: database.owner,
      });
      return takeSnapshot(deps.db, deps.catalog, database, { actor: principal.user, requestId: String(req.id) });
    },
  );

  app.get(
    '/api/v1/databases/:name/schema/snapshots',
    {
      schema: {
        summary: "The database's stored schema snapshots, newest first (the accepted one is the drift reference)",
        tags: ['schema'],
        params: DatabaseNameParams,
        response: { 200: SnapshotList, ...errors },
      },
    },
    async (req) => {
      const database = getDatabase(deps.catalog, req.params.name);
      await authorize(deps, req, 'schema.view', { database: database.name, ownerTeam: database.owner });
      const doc: SnapshotList = { database: database.name, snapshots: await listSnapshots(deps.db, database.name) };
      return doc;
    },
  );

  app.get(
    '/api/v1/schema/snapshots/:id',
    {
      schema: {
        summary: 'One stored schema snapshot, with its document',
        tags: ['schema'],
        params: SnapshotIdParams,
        response: { 200: SnapshotDoc, ...errors },
      },
    },
    async (req) => {
      const snapshot = await getSnapshot(deps.db, req.params.id);
      const database = getDatabase(deps.catalog, snapshot.database);
      await authorize(deps, req, 'schema.view', { database: database.name, ownerTeam: database.owner });
      return snapshot;
    },
  );

  app.post(
    '/api/v1/schema/diff',
    {
      schema: {
        summary:
          'The differences between two schemas (live database, snapshot, backup, document), and the SQL from a to b',
        tags: ['schema'],
        body: DiffRequest,
        response: { 200: DiffResult, ...errors },
      },
    },
    async (req) => {
      // access to both sides is checked before either is read
      for (const side of [req.body.a, req.body.b]) {
        const database = await sideDatabase(deps.db, deps.catalog, side);
        await authorize(
          deps,
          req,
          'schema.view',
          database ? { database: database.name, ownerTeam: database.owner } : {},
        );
      }
      // a backup (with sql) or a SQL script side lives in a throwaway cluster until migra has run
      return withScratch(async (scratch) => {
        const opts = { scratch, sql: req.body.sql };
        const [a, b] = await Promise.all([
          resolveSide(deps.db, deps.catalog, req.body.a, opts),
          resolveSide(deps.db, deps.catalog, req.body.b, opts),
        ]);
        return compareSides(a, b, { sql: req.body.sql });
      });
    },
  );

  app.post(
    '/api/v1/databases/:name/schema/drift',
    {
      schema: {
        summary: 'Compare the live schema with the accepted reference; stores a drift report',
        tags: ['schema'],
        params: DatabaseNameParams,
        response: { 200: DriftResult, ...errors },
      },
    },
    async (req) => {
      const database = getDatabase(deps.catalog, req.params.name);
      // the check reads the live schema and stores a report: the snapshot action, not a view
      const { principal } = await authorize(deps, req, 'schema.snapshot', {
        database: database.name,
        ownerTeam: database.owner,
      });
      return checkDrift(deps.db, deps.catalog, database, { actor: principal.user, requestId: String(req.id) });
    },
  );

  app.post(
    '/api/v1/databases/:name/schema/accept',
    {
      schema: {
        summary: 'Make the live schema the drift reference (a new accepted snapshot, audited)',
        tags: ['schema'],
        params: DatabaseNameParams,
        body: AcceptRequest,
        response: { 200: SnapshotSummary, ...errors },
      },
    },
    async (req) => {
      const database = getDatabase(deps.catalog, req.params.name);
      const { principal } = await authorize(deps, req, 'schema.accept', {
        database: database.name,
        ownerTeam: database.owner,
      });
      const { document: _document, ...summary } = await takeSnapshot(deps.db, deps.catalog, database, {
        actor: principal.user,
        requestId: String(req.id),
        accept: { comment: req.body.comment ?? null },
      });
      return summary;
    },
  );
}
