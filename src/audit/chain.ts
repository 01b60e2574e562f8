// The audit hash chain, as pure functions. Each event's hash covers its own canonical content
// and the previous event's hash, so editing, deleting, inserting or reordering any event breaks
// the chain at that point — `verifyChain` names the first event where it breaks.
import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical.js';

export const GENESIS_HASH = '0'.repeat(64);

export type AuditOutcome = 'success' | 'failure' | 'denied';

/** What an event says; `seq` is its position, so moving an event changes its hash. */
export interface AuditContent {
  seq: number;
  id: string;
  at: Date;
  actor: string;
  action: string;
  subjectType: string;
  subjectId: string;
  outcome: AuditOutcome;
  details: Record<string, unknown>;
  requestId: string | null;
}

export interface ChainedEvent extends AuditContent {
  prevHash: string;
  hash: string;
}

export function eventHash(content: AuditContent, prevHash: string): string {
  const doc = {
    seq: content.seq,
    id: content.id,
    at: content.at.toISOString(),
    actor: content.actor,
    action: content.action,
    subjectType: content.subjectType,
    subjectId: content.subjectId,
    outcome: content.outcome,
    details: content.details,
    requestId: content.requestId,
    prevHash,
  };
  return createHash('sha256').update(canonicalJson(doc)).digest('hex');
}

export type ChainBreak =
  | { seq: number; id: string; reason: 'content_changed'; expected: string; actual: string }
  | { seq: number; id: string; reason: 'broken_link'; expected: string; actual: string }
  | { seq: number; id: string; reason: 'out_of_order'; expected: string; actual: string };

export interface ChainVerdict {
  ok: boolean;
  checked: number;
  lastHash: string;
  firstBreak?: ChainBreak;
}

/**
 * Checks events given in ascending `seq` order, continuing from `prevHash` (the genesis hash for
 * a full walk). A deleted event shows as a broken link at the event after it; an inserted or
 * edited one as changed content; swapped ones as changed content at the first of them.
 */
export function verifyChain(
  events: Iterable<ChainedEvent>,
  start: { prevHash: string; lastSeq: number } = { prevHash: GENESIS_HASH, lastSeq: 0 },
): ChainVerdict {
  let prev = start.prevHash;
  let lastSeq = start.lastSeq;
  let checked = 0;
  for (const e of events) {
    if (e.seq <= lastSeq) {
      return {
        ok: false,
        checked,
        lastHash: prev,
        firstBreak: {
          seq: e.seq,
          id: e.id,
          reason: 'out_of_order',
          expected: `seq > ${lastSeq}`,
          actual: String(e.seq),
        },
      };
    }
    if (e.prevHash !== prev) {
      return {
        ok: false,
        checked,
        lastHash: prev,
        firstBreak: { seq: e.seq, id: e.id, reason: 'broken_link', expected: prev, actual: e.prevHash },
      };
    }
    const h = eventHash(e, e.prevHash);
    if (h !== e.hash) {
      return {
        ok: false,
        checked,
        lastHash: prev,
        firstBreak: { seq: e.seq, id: e.id, reason: 'content_changed', expected: h, actual: e.hash },
      };
    }
    prev = e.hash;
    lastSeq = e.seq;
    checked++;
  }
  return { ok: true, checked, lastHash: prev };
}

export function describeBreak(b: ChainBreak): string {
  switch (b.reason) {
    case 'content_changed':
      return `event ${b.seq} (${b.id}) was altered: its content does not match its hash`;
    case 'broken_link':
      return `event ${b.seq} (${b.id}) does not follow the event before it: an event was deleted, inserted or moved before it`;
    case 'out_of_order':
      return `event ${b.seq} (${b.id}) is out of order`;
    default: {
      const never: never = b;
      return String(never);
    }
  }
}
