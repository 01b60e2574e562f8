// The recovery SLOs' open breaches (src/slo/monitor.ts writes them) as one gauge:
// `lifeboat_slo_breach{database,slo}` is 1 while the breach is open and 0 otherwise, for every
// configured database and every SLO kind (bounded: databases × 4), so an alert rule or a
// dashboard sees a breach close as a 0, not as a series that vanished.
import { SLO_KINDS } from '../slo/evaluate.js';
import type { Db } from '../store/db.js';
import type { Family, FamilyContext } from './families.js';

export interface OpenBreach {
  database: string;
  slo: string;
}

export async function readOpenBreaches(db: Db): Promise<OpenBreach[]> {
  return db.selectFrom('slo_breaches').select(['database', 'slo']).where('closed_at', 'is', null).execute();
}

export function sloBreachSamples(open: readonly OpenBreach[], ctx: FamilyContext) {
  const isOpen = new Set(open.map((b) => `${b.database}\u0000${b.slo}`));
  return ctx.databases.flatMap((d) =>
    SLO_KINDS.map((slo) => ({
      labels: { database: d.name, slo },
      value: isOpen.has(`${d.name}\u0000${slo}`) ? 1 : 0,
    })),
  );
}

export const SLO_FAMILIES: ReadonlyArray<Family<OpenBreach[]>> = [
  {
    name: 'lifeboat_slo_breach',
    help: 'Whether a recovery SLO of a database is breached (1) or met (0): backup_freshness, rpo, drill_freshness, backup_failing (lifeboat status).',
    type: 'gauge',
    samples: sloBreachSamples,
  },
];
