// Configuration documents of the API: what `POST /api/v1/config/reload` answers.
import { z } from 'zod';

export const ConfigWarningDoc = z.object({
  path: z.string(),
  line: z.number(),
  column: z.number(),
  code: z.literal('not_acted_on'),
  message: z.string(),
});

export const ConfigReloadResponse = z.object({
  file: z.string(),
  changed: z.boolean().describe('false when the file is the one already in force (nothing was swapped)'),
  loadedAt: z.string().describe('when the configuration in force was loaded'),
  counts: z.object({ teams: z.number(), users: z.number(), servers: z.number(), databases: z.number() }),
  warnings: z.array(ConfigWarningDoc).describe('keys accepted but not acted on yet'),
});
export type ConfigReloadResponse = z.infer<typeof ConfigReloadResponse>;
