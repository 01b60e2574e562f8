// Masking documents of the API (the PII scan), shared by the server, the CLI and the UI.
import { z } from 'zod';
import { catalogName } from './fields.js';

/**
 * The kinds of personal data the scan recognises (src/masking/scan.ts `PiiKind`): `free_text` is
 * a text column with emails, phone numbers or names inside its values (notes, comments).
 */
export const PiiKindEnum = z.enum([
  'email',
  'phone',
  'person_name',
  'address',
  'iban',
  'card_number',
  'national_id',
  'birth_date',
  'free_text',
]);

export const ScanFinding = z.object({
  table: z.string().describe('as rules name it in lifeboat.yaml: public.customers, "Sales Dept"."Order"'),
  column: z.string(),
  kind: PiiKindEnum,
  confidence: z.number().min(0).max(1),
  by: z.enum(['name', 'content', 'both']).describe('found by the column name, by sampled values, or by both'),
  covered: z.boolean().describe('a masking rule exists for the column'),
  declaredSensitive: z.boolean().describe('the column is listed under masking.sensitive'),
});
export type ScanFinding = z.infer<typeof ScanFinding>;

export const DatabaseNameParams = z.object({ name: catalogName('database') });

export const MaskingScanRequest = z.object({
  sampleRows: z.number().int().min(1).max(10_000).default(200).describe('non-null values sampled per column'),
});

export const MaskingScanResult = z.object({
  database: z.string(),
  findings: z.array(ScanFinding),
  uncovered: z.number().int().describe('findings without a masking rule'),
});
export type MaskingScanResult = z.infer<typeof MaskingScanResult>;
