// `lifeboat token issue|revoke|list`, `lifeboat whoami`, `lifeboat audit verify|export`.
import type { Command } from 'commander';
import { createWriteStream } from 'node:fs';
import type { AuditVerifyResponse } from '../../contract/audit.js';
import type { AuditPage, WhoAmIResponse } from '../../contract/identity.js';
import { LifeboatError } from '../../errors.js';
import { parseDuration } from '../../lib/duration.js';
import { apiClient } from '../client.js';
import { type CliContext, cliContext, emit } from '../context.js';
import { EXIT } from '../exit.js';

const dataDirOption = ['--data-dir <dir>', 'the embedded store of `lifeboat start` (env LIFEBOAT_DATA_DIR)'] as const;

/** The audit commands go through the API when a token is set and no store was named. */
function viaApi(ctx: CliContext): boolean {
  return !ctx.dataDirGiven && ctx.token !== undefined;
}
const API_HINT = 'or set LIFEBOAT_TOKEN to a token of an auditor to go through the API';

/** A refusal through the API also names the other way: the store itself, with --data-dir. */
function withDirectHint(err: unknown): unknown {
  if (!(err instanceof LifeboatError) || err.status !== 403) return err;
  return new LifeboatError(err.code, err.message, {
    hint: `${err.hint ?? 'use the token of an auditor or a DBA admin'}; or read the store directly with --data-dir DIR`,
    status: err.status,
    details: err.details,
  });
}

/** Direct store access, loaded only by the commands that use it (the others start faster). */
const storeAccess = () => import('../store-access.js');

export function registerIdentityCommands(program: Command): void {
  const token = program.command('token').description('API tokens (direct store access, not through the API)');
  token
    .command('issue <user>')
    .description('print a new API token for a configured user (shown once; only its hash is kept)')
    .option(...dataDirOption)
    .option('--expires <duration>', 'lifetime, e.g. 12h, 30d (default: no expiry)')
    .option('--description <text>', 'what the token is for')
    .action(async (user: string, o: { expires?: string; description?: string }, cmd: Command) => {
      const { cliCatalog, withStore, localActor } = await storeAccess();
      const ctx = cliContext(cmd);
      const catalog = cliCatalog(ctx);
      if (!catalog.users[user]) {
        throw new LifeboatError('not_found', `no user ${user} in ${catalog.file}`, {
          hint: `configured users: ${Object.keys(catalog.users).join(', ') || '(none)'}`,
        });
      }
      let expiresInMs: number | undefined;
      if (o.expires !== undefined) {
        expiresInMs = parseDuration(o.expires);
        if (!expiresInMs)
          throw new LifeboatError('invalid_request', `invalid --expires "${o.expires}"`, {
            hint: 'use a duration such as 12h, 30d or 1w',
          });
      }
      const { issueToken } = await import('../../access/tokens.js');
      const t = await withStore(ctx, (s) =>
        issueToken(s.db, { user, actor: localActor(), expiresInMs, description: o.description }),
      );
      emit(
        ctx,
        { id: t.id, user: t.user, token: t.token, prefix: t.prefix, expiresAt: t.expiresAt?.toISOString() ?? null },
        () => t.token,
      );
    });
  token
    .command('revoke <token-id-or-prefix>')
    .description('revoke a token; it stops working at once')
    .option(...dataDirOption)
    .action(async (ref: string, _o, cmd: Command) => {
      const { withStore, localActor } = await storeAccess();
      const ctx = cliContext(cmd);
      const { revokeToken } = await import('../../access/tokens.js');
      const r = await withStore(ctx, (s) => revokeToken(s.db, { ref, actor: localActor() }));
      emit(ctx, { id: r.id, user: r.user, status: 'revoked' }, () => `revoked token ${r.id} of ${r.user}`);
    });
  token
    .command('list [user]')
    .description('list tokens (never the secrets)')
    .option(...dataDirOption)
    .action(async (user: string | undefined, _o, cmd: Command) => {
      const { withStore } = await storeAccess();
      const ctx = cliContext(cmd);
      const { listTokens } = await import('../../access/tokens.js');
      const rows = await withStore(ctx, (s) => listTokens(s.db, user));
      emit(
        ctx,
        { tokens: rows },
        () =>
          rows
            .map(
              (r) =>
                `${r.id}  ${r.prefix}…  ${r.user_name.padEnd(12)} ${r.revoked_at ? 'revoked' : r.expires_at && r.expires_at < new Date() ? 'expired' : 'active'}${r.description ? `  ${r.description}` : ''}`,
            )
            .join('\n') || 'no tokens',
      );
    });

  program
    .command('whoami')
    .description('the user, roles and teams of LIFEBOAT_TOKEN')
    .action(async (_o, cmd: Command) => {
      const ctx = cliContext(cmd);
      const me = await apiClient(ctx).request<WhoAmIResponse>('GET', '/api/v1/whoami');
      emit(
        ctx,
        me,
        () =>
          `${me.user} <${me.email}>\n  roles: ${me.roles.join(', ')}\n  teams: ${me.teams.join(', ') || '-'}\n  approver of: ${me.approverOf.join(', ') || '-'}`,
      );
    });

  const audit = program
    .command('audit')
    .description('the hash-chained audit trail: through the API with LIFEBOAT_TOKEN, or the store with --data-dir');
  audit
    .command('verify')
    .description(
      'walk the chain and hold it against the newest signed checkpoint in storage; exit 1 naming every event edited, deleted, inserted or moved',
    )
    .option(...dataDirOption)
    .action(async (_o, cmd: Command) => {
      const ctx = cliContext(cmd);
      const { verificationText } = await import('../../audit/verification.js');
      let v: AuditVerifyResponse;
      if (viaApi(ctx)) {
        v = await apiClient(ctx)
          .request<AuditVerifyResponse>('GET', '/api/v1/audit/verify')
          .catch((err: unknown) => {
            throw withDirectHint(err);
          });
      } else {
        const { withStore, optionalCliCatalog } = await storeAccess();
        const { verifyAnchoredTrail } = await import('../../audit/verify-trail.js');
        const { loadTrustedKey } = await import('../../audit/signing-key.js');
        const catalog = optionalCliCatalog(ctx);
        v = await withStore(
          ctx,
          async (s) => verifyAnchoredTrail({ db: s.db, catalog, trusted: loadTrustedKey(catalog?.audit, ctx.dataDir) }),
          { missingHint: API_HINT },
        );
      }
      const text = verificationText(v);
      emit(ctx, v, () => text.stdout);
      if (!v.ok) {
        if (!ctx.json) process.stderr.write(text.stderr.map((l) => `${l}\n`).join(''));
        process.exitCode = EXIT.failed;
      }
    });
  audit
    .command('export')
    .description('write the trail as JSON lines (stdout or --out)')
    .option(...dataDirOption)
    .option('--since <time>', 'only events at or after this ISO time')
    .option('--out <file>', 'write to a file instead of stdout')
    .action(async (o: { since?: string; out?: string }, cmd: Command) => {
      const ctx = cliContext(cmd);
      let since: Date | undefined;
      if (o.since) {
        since = new Date(o.since);
        if (Number.isNaN(since.getTime()))
          throw new LifeboatError('invalid_request', `invalid --since "${o.since}"`, {
            hint: 'use an ISO time such as 2026-11-01T00:00:00Z',
          });
      }
      let n = 0;
      const write = async (events: AsyncIterable<unknown>) => {
        const out = o.out ? createWriteStream(o.out) : process.stdout;
        for await (const e of events) {
          if (!out.write(`${JSON.stringify(e)}\n`)) await new Promise<void>((r) => out.once('drain', () => r()));
          n++;
        }
        if (o.out) await new Promise<void>((r) => (out as NodeJS.WritableStream).end(r));
      };
      if (viaApi(ctx))
        await write(apiEvents(ctx, since)).catch((err: unknown) => {
          throw withDirectHint(err);
        });
      else {
        const { withStore } = await storeAccess();
        const { walkAudit } = await import('../../audit/read.js');
        await withStore(
          ctx,
          async (s) => {
            await write(
              (async function* () {
                for await (const e of walkAudit(s.db, { since })) yield { ...e, at: e.at.toISOString() };
              })(),
            );
          },
          { missingHint: API_HINT },
        );
      }
      if (o.out) process.stderr.write(`exported ${n} events to ${o.out}\n`);
    });
}

/** The trail through the API, page by page (GET /api/v1/audit). */
async function* apiEvents(ctx: CliContext, since: Date | undefined): AsyncGenerator<AuditPage['events'][number]> {
  const api = apiClient(ctx);
  let after = 0;
  for (;;) {
    const q = new URLSearchParams({ after: String(after), limit: '1000' });
    if (since) q.set('since', since.toISOString());
    const page = await api.request<AuditPage>('GET', `/api/v1/audit?${q}`);
    yield* page.events;
    if (page.next === null) return;
    after = page.next;
  }
}
