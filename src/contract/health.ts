// GET /api/health: the store and the queue, for load balancers and `curl`.
import { z } from 'zod';

export const HealthResponse = z.object({
  status: z.enum(['ok', 'degraded']),
  version: z.string(),
  uptimeSeconds: z.number(),
  store: z.object({
    ok: z.boolean(),
    instanceId: z.string().optional(),
    createdAt: z.string().optional(),
    error: z.string().optional(),
  }),
  queue: z.object({ ok: z.boolean(), error: z.string().optional() }),
});
export type HealthResponse = z.infer<typeof HealthResponse>;
