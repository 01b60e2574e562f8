// An incident's report kept as evidence in the backup storage, beside the drills' packs:
// `_incidents/<id>/` holds report.json, report.md and proof.json (the SHA-256 of the other files
// and the audit event `dr.report` that recorded those hashes), hashed and written with the
// drills' helpers (src/drills/evidence.ts), so one verifier reads both.
import type { Catalog } from '../catalog/types.js';
import { recordAuditAlone } from '../audit/record.js';
import { hashesOf, writeFiles } from '../drills/evidence.js';
import { openCatalogStorage } from '../storage/index.js';
import type { Db } from '../store/db.js';
import { buildReport, reportMarkdown, timelineDocs } from './report.js';
import type { RecoveryPoint } from './recovery-point.js';

export const INCIDENT_EVIDENCE_ROOT = '_incidents/';

/** Builds the report as it stands, stores it with its proof, audits it; where it is. */
export async function storeReport(
  deps: { db: Db; catalog: Catalog },
  incidentId: number,
  actor: string,
): Promise<{ storage: string; prefix: string; files: Record<string, string> } | null> {
  const row = await deps.db.selectFrom('incidents').selectAll().where('id', '=', incidentId).executeTakeFirstOrThrow();
  const database = deps.catalog.databases[row.database];
  const chosen = (row.plan as { chosen?: RecoveryPoint | null } | null)?.chosen;
  const storageName = chosen?.kind === 'logical' ? chosen.storage : database?.backup?.storage;
  const config = storageName ? deps.catalog.storage[storageName] : undefined;
  if (!storageName || !config) return null;
  const timeline = await deps.db
    .selectFrom('incident_timeline')
    .selectAll()
    .where('incident_id', '=', incidentId)
    .orderBy('id')
    .execute();
  const report = buildReport(row, timelineDocs(timeline), database, new Date());
  const files: Record<string, Buffer> = {
    'report.json': Buffer.from(`${JSON.stringify(report, null, 2)}\n`),
    'report.md': Buffer.from(reportMarkdown(report)),
  };
  const prefix = `${INCIDENT_EVIDENCE_ROOT}${incidentId}/`;
  const hashes = hashesOf(files);
  const storage = openCatalogStorage(config);
  try {
    await writeFiles(storage, prefix, files);
    const audit = await recordAuditAlone(deps.db, {
      actor,
      action: 'dr.report',
      subjectType: 'incident',
      subjectId: String(incidentId),
      details: {
        storage: storageName,
        prefix,
        files: hashes,
        rpoAchievedSeconds: report.rpoAchievedSeconds,
        rtoAchievedSeconds: report.rtoAchievedSeconds,
        misses: report.misses,
      },
    });
    const proof = { format: 'lifeboat-dr-evidence/1', incident: incidentId, files: hashes, audit };
    await writeFiles(storage, prefix, { 'proof.json': Buffer.from(`${JSON.stringify(proof, null, 2)}\n`) });
    const evidence = { storage: storageName, prefix, files: hashes, audit };
    await deps.db
      .updateTable('incidents')
      .set({ evidence: JSON.stringify(evidence) })
      .where('id', '=', incidentId)
      .execute();
    return evidence;
  } finally {
    await storage.close?.();
  }
}
