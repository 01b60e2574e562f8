// An API server on a fresh control-plane store, for route tests (Fastify's inject, no port).
import type PgBoss from 'pg-boss';
import { issueToken } from '../../src/access/tokens.js';
import { parseConfig } from '../../src/catalog/load.js';
import type { Catalog } from '../../src/catalog/types.js';
import { type App, buildApp } from '../../src/http/app.js';
import { silentLogger } from '../../src/lib/logger.js';
import { freshStore, type TestStore } from './store.js';

export const MINIMAL_CONFIG = `version: 1
teams:
  team-alpha: { members: [jsmith], approvers: [alice, bob] }
users:
  jsmith: { email: jsmith@example.com, roles: [developer] }
  alice: { email: alice@example.com, roles: [db-owner] }
  bob: { email: bob@example.com, roles: [db-owner] }
`;

export function catalogFrom(text = MINIMAL_CONFIG, env: Record<string, string> = {}): Catalog {
  return parseConfig(text, { baseDir: process.cwd(), env });
}

export async function testApp(
  opts: { catalog?: Catalog; queue?: PgBoss; store?: TestStore } = {},
): Promise<{ app: App; store: TestStore; auth: (user: string) => Promise<Record<string, string>> }> {
  const store = opts.store ?? (await freshStore());
  const app = await buildApp({
    db: store.db,
    queue: opts.queue,
    catalog: opts.catalog ?? catalogFrom(),
    startedAt: new Date(),
    publicUrl: 'http://127.0.0.1:7420',
    logger: silentLogger(),
  });
  /** Authorization headers with a fresh token for a configured user. */
  const auth = async (user: string) => ({
    authorization: `Bearer ${(await issueToken(store.db, { user, actor: 'test' })).token}`,
  });
  return { app, store, auth };
}
