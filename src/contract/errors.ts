// The error document every API error response carries, shared by server, CLI and UI.
import { z } from 'zod';

export const ErrorResponse = z
  .object({
    error: z.object({
      code: z.string().describe('stable machine-readable code, see src/errors.ts'),
      message: z.string(),
      hint: z.string().optional(),
      details: z.unknown().optional(),
      correlationId: z.string().optional(),
    }),
  })
  .meta({ id: 'ErrorResponse' });
export type ErrorResponse = z.infer<typeof ErrorResponse>;
