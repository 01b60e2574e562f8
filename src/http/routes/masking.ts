// /api/v1/databases/:name/masking: the PII scan of a database's live source, which tells the
// owners which columns look like personal data and which of those no masking rule covers yet.
import { recordAuditAlone } from '../../audit/record.js';
import { getDatabase, getServer } from '../../catalog/lookup.js';
import { ErrorResponse } from '../../contract/errors.js';
import { DatabaseNameParams, MaskingScanRequest, MaskingScanResult } from '../../contract/masking.js';
import { LifeboatError } from '../../errors.js';
import { scanDatabase } from '../../masking/scan-database.js';
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

export function maskingRoutes(app: App, deps: HttpDeps): void {
  app.post(
    '/api/v1/databases/:name/masking/scan',
    {
      schema: {
        summary:
          'Find columns that likely hold personal data, by name and by sampled values, and their masking coverage',
        tags: ['masking'],
        params: DatabaseNameParams,
        body: MaskingScanRequest,
        response: { 200: MaskingScanResult, ...errors },
      },
    },
    async (req) => {
      const database = getDatabase(deps.catalog, req.params.name);
      const { principal } = await authorize(deps, req, 'masking.scan', {
        database: database.name,
        ownerTeam: database.owner,
      });
      const server = getServer(deps.catalog, database.server);
      if (server.engine !== 'postgres') {
        throw new LifeboatError(
          'invalid_request',
          `unable to scan ${database.name}: its server ${server.name} runs ${server.engine}, and the scan reads PostgreSQL only`,
          { hint: 'declare the sensitive columns under masking.sensitive in lifeboat.yaml instead' },
        );
      }
      const findings = await scanDatabase(server.url, database.dbname, {
        sampleRows: req.body.sampleRows,
        masking: database.masking,
      });
      const uncovered = findings.filter((f) => !f.covered).length;
      // the scan reads production data (a sample of values): who looked, and what it found, is audited
      await recordAuditAlone(deps.db, {
        actor: principal.user,
        action: 'masking.scan',
        subjectType: 'database',
        subjectId: database.name,
        details: { findings: findings.length, uncovered },
        requestId: String(req.id),
      });
      // typed as the contract: a kind the scanner learns must be added to the API's enum too
      const doc: MaskingScanResult = { database: database.name, findings, uncovered };
      return doc;
    },
  );
}
