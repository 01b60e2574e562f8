// The result of verifying the audit trail (`GET /api/v1/audit/verify`, and `lifeboat audit verify`
// with or without the API): the chain walked and held against the newest signed checkpoint of
// each storage. Mirrors src/audit/verification.ts, which builds it.
import { z } from 'zod';

const ChainBreakDoc = z.object({
  seq: z.number(),
  id: z.string(),
  reason: z.enum(['content_changed', 'broken_link', 'out_of_order']),
  expected: z.string(),
  actual: z.string(),
});

const CheckpointDoc = z.object({
  format: z.literal('lifeboat-audit-checkpoint/1'), // CHECKPOINT_FORMAT in src/audit/checkpoint.ts
  seq: z.number().describe('sequence number of the checkpointed event'),
  eventId: z.string(),
  headHash: z.string(),
  count: z.number().describe('events in the trail up to and including it'),
  at: z.string().describe('when the checkpoint was signed'),
  keyFingerprint: z.string(),
  publicKey: z.string(),
  storage: z.string(),
  key: z.string().describe("the checkpoint's key in that storage"),
});

export const AuditVerifyResponse = z
  .object({
    ok: z.boolean().describe('the chain is intact and matches every checkpoint read'),
    checked: z.number().describe('events verified (up to the first break)'),
    lastHash: z.string(),
    firstBreak: ChainBreakDoc.nullable(),
    anchor: z.object({
      status: z.enum(['anchored', 'mismatch', 'unanchored']),
      trustedKey: z.object({ fingerprint: z.string(), source: z.string() }).nullable(),
      checkpoint: CheckpointDoc.nullable().describe('the newest checkpoint that verified'),
      problems: z.array(
        z.object({
          storage: z.string(),
          key: z.string().nullable(),
          code: z.enum([
            'bad_signature',
            'untrusted_key',
            'malformed',
            'storage_unreadable',
            'truncated',
            'rewritten',
            'miscounted',
          ]),
          message: z.string(),
        }),
      ),
      note: z.string().nullable().describe('why the trail is not anchored'),
    }),
  })
  .meta({ id: 'AuditVerifyResponse' });
export type AuditVerifyResponse = z.infer<typeof AuditVerifyResponse>;
