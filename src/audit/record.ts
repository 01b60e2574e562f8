// Appending to the audit trail. Callers pass the transaction that makes the change, so the
// change and its event commit together or not at all. A transaction-scoped advisory lock
// serialises appends: the sequence number, the previous hash and the insert happen under it, so
// concurrent writers can never fork the chain.
import { randomUUID } from 'node:crypto';
import { sql, type Transaction } from 'kysely';
import type { Db } from '../store/db.js';
import type { Database } from '../store/schema.js';
import { type AuditOutcome, eventHash, GENESIS_HASH } from './chain.js';

export interface AuditInput {
  actor: string;
  action: string;
  subjectType: string;
  subjectId: string;
  outcome?: AuditOutcome;
  details?: Record<string, unknown>;
  requestId?: string | null;
}

const AUDIT_LOCK = 0x6c69_6665; // "life"

export async function recordAudit(
  trx: Transaction<Database>,
  input: AuditInput,
): Promise<{ seq: number; hash: string }> {
  const [r] = await recordAuditMany(trx, [input]);
  return r!;
}

export async function recordAuditMany(
  trx: Transaction<Database>,
  inputs: AuditInput[],
): Promise<Array<{ seq: number; hash: string }>> {
  await sql`select pg_advisory_xact_lock(${AUDIT_LOCK})`.execute(trx);
  const last = await trx
    .selectFrom('audit_events')
    .select(['seq', 'hash'])
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  let prevHash = last?.hash ?? GENESIS_HASH;
  const out: Array<{ seq: number; hash: string }> = [];
  for (const input of inputs) {
    const { rows } = await sql<{
      seq: number;
    }>`select nextval(pg_get_serial_sequence('audit_events', 'seq'))::int8 as seq`.execute(trx);
    const content = {
      seq: Number(rows[0]!.seq),
      id: randomUUID(),
      at: new Date(),
      actor: input.actor,
      action: input.action,
      subjectType: input.subjectType,
      subjectId: input.subjectId,
      outcome: input.outcome ?? 'success',
      // a JSON round-trip so the hashed value is exactly what jsonb stores and returns
      details: JSON.parse(JSON.stringify(input.details ?? {})) as Record<string, unknown>,
      requestId: input.requestId ?? null,
    };
    const hash = eventHash(content, prevHash);
    await trx
      .insertInto('audit_events')
      .values({
        seq: content.seq,
        id: content.id,
        at: content.at,
        actor: content.actor,
        action: content.action,
        subject_type: content.subjectType,
        subject_id: content.subjectId,
        outcome: content.outcome,
        details: JSON.stringify(content.details),
        request_id: content.requestId,
        prev_hash: prevHash,
        hash,
      } as never)
      .execute();
    out.push({ seq: content.seq, hash });
    prevHash = hash;
  }
  return out;
}

/** Records an event in a transaction of its own (for events with no other change, e.g. a denial). */
export function recordAuditAlone(db: Db, input: AuditInput): Promise<{ seq: number; hash: string }> {
  return db.transaction().execute((trx) => recordAudit(trx, input));
}
