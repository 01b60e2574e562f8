// The catalog as a client needs it to ask for a restore: the databases a user may see, where each
// may be restored to, and their RPO (GET /api/v1/catalog/databases).
import { z } from 'zod';

export const CatalogDatabaseDoc = z.object({
  name: z.string(),
  server: z.string(),
  tier: z.string().describe("the tier of the database's own server"),
  owner: z.string(),
  approvals: z.number(),
  rpoSeconds: z.number().nullable(),
  rtoSeconds: z.number().nullable(),
  destinations: z.array(z.object({ server: z.string(), tier: z.string() })),
  maskingRules: z.number(),
});
export type CatalogDatabaseDoc = z.infer<typeof CatalogDatabaseDoc>;

export const CatalogDatabases = z.object({ databases: z.array(CatalogDatabaseDoc) });
export type CatalogDatabases = z.infer<typeof CatalogDatabases>;
