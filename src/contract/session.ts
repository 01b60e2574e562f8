// The web UI's sign-in: a sign-in code (printed by `lifeboat start`) exchanged for a session token.
import { z } from 'zod';
import { line } from './fields.js';

export const SessionExchangeRequest = z.object({ code: line(200) });

export const SessionExchangeResponse = z.object({
  token: z.string().describe('a bearer API token for the session'),
  user: z.string(),
  expiresAt: z.string().nullable(),
});
export type SessionExchangeResponse = z.infer<typeof SessionExchangeResponse>;
