// The SQL that turns one live database's schema into another's, from @pgkit/migra (the maintained
// TypeScript port of migra): we do not write our own SQL differ. Both sides must be live databases,
// since migra inspects them itself. Unsafe (destructive) statements are included: a diff shows
// what it takes, and nobody runs it blindly. Errors are redacted: migra's driver may echo a URL.
import { createClient } from '@pgkit/client';
import { run } from '@pgkit/migra';
import { LifeboatError } from '../../errors.js';
import type { Secret } from '../../lib/secret.js';
import { redact } from '../../lib/secret.js';
import { withDatabase } from './libpq.js';

export interface LiveDatabase {
  url: Secret;
  dbname: string;
}

export async function migraSql(a: LiveDatabase, b: LiveDatabase): Promise<string> {
  const ua = withDatabase(a.url, a.dbname);
  const ub = withDatabase(b.url, b.dbname);
  const ca = createClient(ua);
  // a second client on the same URL makes @pgkit/client print a warning; the second is only
  // created when the sides are different databases
  const cb = ua === ub ? ca : createClient(ub);
  try {
    const m = await run(ca, cb, { unsafe: true });
    return m.sql;
  } catch (err) {
    throw new LifeboatError(
      'engine_failed',
      `unable to compute the SQL between ${a.dbname} and ${b.dbname}: ${redact((err as Error).message, [a.url, b.url, ua, ub])}`,
      { hint: 'the summary without --sql still works; check that both servers are reachable', cause: err },
    );
  } finally {
    await ca.end().catch(() => {});
    if (cb !== ca) await cb.end().catch(() => {});
  }
}
