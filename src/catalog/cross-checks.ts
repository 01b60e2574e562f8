// The rules that span entries: every name used must be defined (owner → teams, destinations →
// servers, …) and a few policies that no single field can express (approvals: 0 only for
// non-production destinations, destinations of the same engine, one masking rule per column).
// They run on the plain document even when the schema found problems, so one pass reports
// everything; each lookup therefore checks the shape it reads and skips what the schema reports.

import { transformNeedsKey } from '../masking/transformers/traits.js';
import type { IssueCode } from './config-error.js';
import type { PathSegment } from './config-path.js';
import type { Anchor } from './yaml-source.js';
import { DRIVEN_ENGINES } from './not-yet.js';
import { ENGINE_KINDS, type Transform, TRANSFORMS } from './types.js';

export interface CrossIssue {
  path: PathSegment[];
  anchor: Anchor;
  code: IssueCode;
  message: string;
  hint?: string;
}

type Obj = Record<string, unknown>;
type Section = 'users' | 'teams' | 'servers' | 'storage' | 'notifications';

interface Context {
  sections: Record<Section, Obj>;
  /** May a dba-admin approve in the owning team's place (policy.dba_admin_can_approve)? */
  dbaOverride: boolean;
  issues: CrossIssue[];
}

export function crossCheck(doc: unknown): CrossIssue[] {
  const root = obj(doc);
  if (root === undefined) return [];
  const section = (key: string): Obj => obj(root[key]) ?? {};
  const ctx: Context = {
    sections: {
      users: section('users'),
      teams: section('teams'),
      servers: section('servers'),
      storage: section('storage'),
      notifications: section('notifications'),
    },
    dbaOverride: obj(root.policy)?.dba_admin_can_approve === true,
    issues: [],
  };
  for (const [name, server] of entries(ctx.sections.servers)) {
    checkEngine(ctx, name, server);
    checkPgBackRest(ctx, name, server);
  }
  for (const [name, team] of entries(ctx.sections.teams)) checkTeam(ctx, name, team);
  for (const [name, db] of entries(section('databases'))) checkDatabase(ctx, name, db);
  checkDrTriggers(ctx, obj(root.dr), section('databases'));
  return ctx.issues;
}

/** The entry `value` names in `section`, or undefined (reported) when it is not defined there. */
function resolveRef(
  ctx: Context,
  path: PathSegment[],
  value: unknown,
  section: Section,
  what: string,
): Obj | undefined {
  if (typeof value !== 'string') return undefined; // a type error, reported by the schema
  const entries = ctx.sections[section];
  if (Object.hasOwn(entries, value)) return obj(entries[value]) ?? {};
  const known = Object.keys(entries);
  ctx.issues.push({
    path,
    anchor: 'node',
    code: 'unknown_reference',
    message: `${what} "${value}" is not defined`,
    hint: known.length === 0 ? `define it under ${section}:` : `defined ${section}: ${known.join(', ')}`,
  });
  return undefined;
}

/** A server whose engine Lifeboat cannot drive yet could never be backed up or restored. */
function checkEngine(ctx: Context, name: string, server: Obj): void {
  const engine = server.engine;
  // (an engine that is no engine at all is the schema's to report)
  if (typeof engine !== 'string' || !(ENGINE_KINDS as readonly string[]).includes(engine)) return;
  if ((DRIVEN_ENGINES as readonly string[]).includes(engine)) return;
  ctx.issues.push({
    path: ['servers', name, 'engine'],
    anchor: 'node',
    code: 'invalid_value',
    message: `Lifeboat cannot drive ${engine} servers yet: today it backs up and restores ${DRIVEN_ENGINES.join(', ')} only`,
    hint: `remove servers.${name} (and the databases on it) until the ${engine} engine is built, or declare a PostgreSQL server (engine: postgres)`,
  });
}

/** pgBackRest backs up PostgreSQL only, into a declared storage; one stanza per repository. */
function checkPgBackRest(ctx: Context, name: string, server: Obj): void {
  const pgbr = obj(server.pgbackrest);
  if (pgbr === undefined) return;
  const at = (...rest: PathSegment[]): PathSegment[] => ['servers', name, 'pgbackrest', ...rest];
  if (server.engine !== 'postgres') {
    ctx.issues.push({
      path: at(),
      anchor: 'key',
      code: 'invalid_value',
      message: `pgbackrest: is for PostgreSQL servers, but ${name} is ${String(server.engine)}`,
      hint: `remove servers.${name}.pgbackrest`,
    });
  }
  const repo = resolveRef(ctx, at('repo'), pgbr.repo, 'storage', 'storage');
  if (repo?.type === 's3' && typeof repo.endpoint === 'string' && repo.endpoint.startsWith('http://')) {
    ctx.issues.push({
      path: at('repo'),
      anchor: 'node',
      code: 'invalid_value',
      message: `pgBackRest reaches S3 over TLS only, and storage ${String(pgbr.repo)} has the endpoint ${repo.endpoint}`,
      hint: `give storage.${String(pgbr.repo)} an https:// endpoint (ca: for a private CA), or a filesystem repository`,
    });
  }
  for (const [other, o] of entries(ctx.sections.servers)) {
    const theirs = obj(o.pgbackrest);
    if (other >= name || theirs === undefined) continue;
    if (theirs.stanza === pgbr.stanza && theirs.repo === pgbr.repo) {
      ctx.issues.push({
        path: at('stanza'),
        anchor: 'node',
        code: 'invalid_value',
        message: `stanza "${String(pgbr.stanza)}" is also servers.${other}'s, in the same repository`,
        hint: 'every cluster needs its own stanza in a repository: give this one another name',
      });
    }
  }
}

function checkTeam(ctx: Context, name: string, team: Obj): void {
  for (const key of ['members', 'approvers'] as const) {
    for (const [i, user] of list(team[key]).entries()) resolveRef(ctx, ['teams', name, key, i], user, 'users', 'user');
  }
  for (const [i, channel] of list(team.notify).entries()) {
    resolveRef(ctx, ['teams', name, 'notify', i], channel, 'notifications', 'notification channel');
  }
}

function checkDatabase(ctx: Context, name: string, db: Obj): void {
  const at = (...rest: PathSegment[]): PathSegment[] => ['databases', name, ...rest];
  const server = resolveRef(ctx, at('server'), db.server, 'servers', 'server');
  const owner = resolveRef(ctx, at('owner'), db.owner, 'teams', 'team');
  const backup = obj(db.backup);
  if (backup !== undefined) resolveRef(ctx, at('backup', 'storage'), backup.storage, 'storage', 'storage');

  const destinations = list(db.destinations).map((dest, i) => {
    const target = resolveRef(ctx, at('destinations', i), dest, 'servers', 'server');
    if (target && server && typeof target.engine === 'string' && target.engine !== server.engine) {
      ctx.issues.push({
        path: at('destinations', i),
        anchor: 'node',
        code: 'invalid_value',
        message: `destination "${String(dest)}" runs ${target.engine}, but ${name} is on ${String(db.server)} (${String(server.engine)})`,
        hint: 'a backup restores only into a server of the same engine',
      });
    }
    return { name: String(dest), tier: target?.tier };
  });

  const approvals = db.approvals ?? 1;
  const production = destinations.find((d) => d.tier === 'production');
  if (approvals === 0 && production !== undefined) {
    ctx.issues.push({
      path: at('approvals'),
      anchor: 'node',
      code: 'invalid_policy',
      message: `approvals: 0 is not allowed: destination "${production.name}" is production`,
      hint: 'restores into production always need approval (two approvers at run time); set approvals: 1 or more',
    });
  }
  // With the DBA-admin override on, a short-handed team can still get its runs approved.
  if (typeof approvals === 'number' && approvals > 0 && owner !== undefined && !ctx.dbaOverride) {
    const approvers = new Set(list(owner.approvers)).size;
    if (approvers < approvals) {
      ctx.issues.push({
        path: at('approvals'),
        anchor: 'node',
        code: 'invalid_policy',
        message: `${approvals} approvals are required but team "${String(db.owner)}" has ${approvers} approver${approvers === 1 ? '' : 's'}`,
        hint: 'no run of this database could ever be approved; add approvers to the team or lower approvals',
      });
    }
  }

  checkMasking(ctx, obj(db.masking), at('masking'));
  checkVerify(ctx, list(db.verify), at('verify'));
  checkDrill(ctx, name, obj(db.drill), at('drill'));
  const drTarget = obj(db.dr)?.target;
  if (typeof drTarget === 'string' && drTarget !== 'new_instance')
    resolveRef(ctx, [...at('dr'), 'target'], drTarget, 'servers', 'server');
}

/** Every trigger names a database of the file. */
function checkDrTriggers(ctx: Context, dr: Obj | undefined, databases: Obj): void {
  for (const [i, raw] of list(dr?.triggers).entries()) {
    const database = obj(raw)?.database;
    if (typeof database !== 'string' || Object.hasOwn(databases, database)) continue;
    ctx.issues.push({
      path: ['dr', 'triggers', i, 'database'],
      anchor: 'node',
      code: 'unknown_reference',
      message: `database "${database}" is not defined in databases`,
      hint: `define it under databases, or use one of: ${Object.keys(databases).join(', ') || '(none)'}`,
    });
  }
}

/** A drill restores into a scratch database it then drops: never on a production server. */
function checkDrill(ctx: Context, name: string, drill: Obj | undefined, at: PathSegment[]): void {
  if (drill === undefined) return;
  const target = resolveRef(ctx, [...at, 'target'], drill.target, 'servers', 'server');
  if (target?.tier === 'production') {
    const others = Object.entries(ctx.sections.servers)
      .filter(([, s]) => obj(s)?.tier !== 'production')
      .map(([k]) => k);
    ctx.issues.push({
      path: [...at, 'target'],
      anchor: 'node',
      code: 'invalid_value',
      message: `drill target "${String(drill.target)}" of ${name} is a production server`,
      hint:
        'a drill creates and drops a scratch database: aim it at a staging, development or test server' +
        (others.length ? ` (${others.join(', ')})` : ''),
    });
  }
  checkVerify(ctx, [...list(obj(drill)?.checks)], [...at, 'checks']);
}

function checkMasking(ctx: Context, masking: Obj | undefined, at: PathSegment[]): void {
  if (masking === undefined) return;
  const seen = new Map<string, number>();
  let keyedRule: { column: string; transform: string } | undefined;
  for (const [i, raw] of list(masking.rules).entries()) {
    const rule = obj(raw);
    if (rule === undefined || typeof rule.table !== 'string' || typeof rule.column !== 'string') continue;
    // Compared as written: `customers` and `public.customers` are not assumed to be the same table.
    const column = `${rule.table}.${rule.column}`;
    const first = seen.get(column);
    if (first === undefined) seen.set(column, i);
    else {
      ctx.issues.push({
        path: [...at, 'rules', i],
        anchor: 'node',
        code: 'duplicate_name',
        message: `column ${column} already has a masking rule (rules[${first}])`,
        hint: 'one rule per column: remove or merge one of them',
      });
    }
    // every deterministic fake is keyed: without a key, a fake could be reversed by trying inputs
    if (
      typeof rule.transform === 'string' &&
      (TRANSFORMS as readonly string[]).includes(rule.transform) &&
      transformNeedsKey({
        transform: rule.transform as Transform,
        options: (obj(rule.options) ?? {}) as Record<string, unknown>,
      })
    ) {
      keyedRule ??= { column, transform: rule.transform };
    }
  }
  if (keyedRule !== undefined && masking.key === undefined) {
    ctx.issues.push({
      path: [...at, 'key'],
      anchor: 'parent',
      code: 'missing_key',
      message: `masking.key is required: the rule for ${keyedRule.column} uses transform "${keyedRule.transform}"`,
      hint: 'add key: env:MASKING_KEY; the key keeps tokens equal across tables and runs, so joins survive masking',
    });
  }
}

function checkVerify(ctx: Context, checks: unknown[], at: PathSegment[]): void {
  const seen = new Map<string, number>();
  for (const [i, check] of checks.entries()) {
    const name = obj(check)?.name;
    if (typeof name !== 'string') continue;
    const first = seen.get(name);
    if (first === undefined) {
      seen.set(name, i);
      continue;
    }
    ctx.issues.push({
      path: [...at, i, 'name'],
      anchor: 'node',
      code: 'duplicate_name',
      message: `verify check "${name}" is already defined (verify[${first}])`,
      hint: 'check names identify results in the evidence; make them unique',
    });
  }
}

function obj(v: unknown): Obj | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : undefined;
}

function entries(section: Obj): [string, Obj][] {
  return Object.entries(section).flatMap(([k, v]) => {
    const o = obj(v);
    return o === undefined ? [] : [[k, o] as [string, Obj]];
  });
}

function list(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}
