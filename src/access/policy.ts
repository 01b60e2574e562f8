// The access policy: the one place that answers "may this user do this to this thing?". Pure:
// no I/O, no clock; the server calls it on every route, the CLI and the UI only reflect it.
//
// The matrix:
//   developer          requests and views runs, backups, drills and schemas of their own teams' databases,
//                      and views their disaster-recovery incidents (never declares, plans or executes one)
//   db-owner           as developer, plus approving (when on the team's approvers list), cancelling and
//                      undoing their teams' runs, running backups and drills of their teams' databases,
//                      accepting their schema as the drift reference
//   dba-admin          requests, views, cancels and operates on any database; approves only when the
//                      policy switch `dba_admin_can_approve` is on (an override, audited as such)
//   admin              everything a dba-admin may, on the same terms
//   recovery-operator  runs disaster recovery (declares, plans, executes incidents) on any database;
//                      views, verifies and fetches backups and views runs everywhere
//   backup.fetch       hands out a raw (unmasked) dump: dba-admin, admin and recovery-operator only,
//                      never a team role
//   auditor            reads everything, changes nothing
//   everyone           never approves a run they requested
import type { Role } from '../catalog/types.js';
import { type Action, READ_ACTIONS, type Resource } from './actions.js';
import type { Principal } from './principal.js';

export type DenyRule =
  'self_approval' | 'not_approver' | 'not_team_member' | 'override_disabled' | 'read_only_role' | 'role_not_allowed';

export type Decision =
  { allowed: true; role: Role; override: boolean } | { allowed: false; rule: DenyRule; message: string; hint: string };

export interface PolicySettings {
  dbaAdminCanApprove: boolean;
}

type RoleVerdict = { allowed: true; override: boolean } | { allowed: false; rule: DenyRule };

const TEAM_ACTIONS_DEVELOPER: ReadonlySet<Action> = new Set<Action>([
  'catalog.view',
  'restore.view',
  'restore.request',
  'backup.view',
  'drill.view',
  // their database's disaster-recovery incidents: what happened and where it stands (declaring,
  // planning and executing are the recovery operators' and DBA admins')
  'dr.view',
  'schema.view',
  'schema.snapshot',
]);

const TEAM_ACTIONS_OWNER: ReadonlySet<Action> = new Set<Action>([
  ...TEAM_ACTIONS_DEVELOPER,
  'restore.cancel',
  'restore.undo',
  'backup.run',
  'backup.verify',
  'drill.run',
  'masking.scan',
  'schema.accept',
]);

const RECOVERY_ACTIONS: ReadonlySet<Action> = new Set<Action>([
  'catalog.view',
  'restore.view',
  'backup.view',
  'backup.verify',
  'backup.fetch',
  'drill.view',
  'dr.view',
  'dr.declare',
  'dr.execute',
  'schema.view',
]);

// Denials are ranked so that the most telling rule is reported when several roles refuse.
const RANK: Record<DenyRule, number> = {
  self_approval: 6,
  not_approver: 5,
  override_disabled: 4,
  not_team_member: 3,
  read_only_role: 2,
  role_not_allowed: 1,
};

function ownTeam(p: Principal, r: Resource): boolean {
  // system-wide actions (no database) are "own" for any role that may take them at all
  return r.ownerTeam === undefined || p.teams.includes(r.ownerTeam);
}

/**
 * A team role's action with no database: a restore request must name one, and disaster recovery
 * without a database is a server's (its physical backups and WAL archive), not a team's.
 */
function serverWide(action: Action, r: Resource): boolean {
  return r.database === undefined && (action === 'restore.request' || action === 'dr.view');
}

function judgeRole(role: Role, action: Action, p: Principal, r: Resource, s: PolicySettings): RoleVerdict {
  switch (role) {
    case 'auditor':
      return READ_ACTIONS.has(action) ? { allowed: true, override: false } : { allowed: false, rule: 'read_only_role' };
    case 'developer':
      if (!TEAM_ACTIONS_DEVELOPER.has(action)) {
        return { allowed: false, rule: action === 'restore.approve' ? 'not_approver' : 'role_not_allowed' };
      }
      if (serverWide(action, r)) return { allowed: false, rule: 'role_not_allowed' };
      return ownTeam(p, r) ? { allowed: true, override: false } : { allowed: false, rule: 'not_team_member' };
    case 'db-owner':
      if (action === 'restore.approve') {
        if (r.ownerTeam !== undefined && p.approverOf.includes(r.ownerTeam)) return { allowed: true, override: false };
        return { allowed: false, rule: ownTeam(p, r) ? 'not_approver' : 'not_team_member' };
      }
      if (!TEAM_ACTIONS_OWNER.has(action) || serverWide(action, r)) return { allowed: false, rule: 'role_not_allowed' };
      return ownTeam(p, r) ? { allowed: true, override: false } : { allowed: false, rule: 'not_team_member' };
    case 'dba-admin':
    case 'admin':
      if (action === 'restore.approve') {
        return s.dbaAdminCanApprove ? { allowed: true, override: true } : { allowed: false, rule: 'override_disabled' };
      }
      return { allowed: true, override: false };
    case 'recovery-operator':
      return RECOVERY_ACTIONS.has(action)
        ? { allowed: true, override: false }
        : { allowed: false, rule: 'role_not_allowed' };
    default: {
      const never: never = role;
      throw new Error(`unknown role ${String(never)}`);
    }
  }
}

export function decide(p: Principal, action: Action, r: Resource, s: PolicySettings): Decision {
  // Separation of duties comes before every role: not even an override approves one's own run.
  if (action === 'restore.approve' && r.requestedBy !== undefined && r.requestedBy === p.user) {
    return deny('self_approval', p, action, r);
  }
  let worst: DenyRule | undefined;
  let granted: { role: Role; override: boolean } | undefined;
  for (const role of p.roles) {
    const v = judgeRole(role, action, p, r, s);
    if (v.allowed) {
      // prefer a grant that needs no override
      if (!granted || (granted.override && !v.override)) granted = { role, override: v.override };
    } else if (!worst || RANK[v.rule] > RANK[worst]) worst = v.rule;
  }
  if (granted) return { allowed: true, ...granted };
  return deny(worst ?? 'role_not_allowed', p, action, r);
}

/** The teams whose databases a principal may take an action on: every team, or those listed. */
export type TeamScope = { all: true } | { all: false; teams: readonly string[] };

/**
 * Where a principal may take a view action (restore.view, backup.view, …), as list endpoints
 * need it: a filter they put in SQL before LIMIT, so that a page is never cut short by rows the
 * principal may not see. It asks each role the very questions `decide` asks, so the two cannot
 * disagree: a role that allows the action on a team the principal is not in allows it on every
 * team; otherwise it is allowed on those of the principal's teams where a role allows it.
 */
export function teamScope(p: Principal, action: Action, s: PolicySettings): TeamScope {
  const teams = new Set<string>();
  for (const role of p.roles) {
    if (judgeRole(role, action, p, { ownerTeam: NOT_A_TEAM, database: NOT_A_TEAM }, s).allowed) return { all: true };
    for (const team of p.teams) {
      if (judgeRole(role, action, p, { ownerTeam: team, database: NOT_A_TEAM }, s).allowed) teams.add(team);
    }
  }
  return { all: false, teams: [...teams] };
}

/** No team or database is named so: names start with a letter (NAME_PATTERN in src/catalog/schema-values.ts). */
const NOT_A_TEAM = ' none';

function deny(rule: DenyRule, p: Principal, action: Action, r: Resource): Decision {
  const what = r.database ? `${action} on ${r.database}` : action;
  switch (rule) {
    case 'self_approval':
      return {
        allowed: false,
        rule,
        message: `${p.user} may not approve a run they requested`,
        hint: 'another approver of the owning team must approve it',
      };
    case 'not_approver':
      return {
        allowed: false,
        rule,
        message: `${p.user} is not an approver of team ${r.ownerTeam ?? '?'} (${what})`,
        hint: `ask one of team ${r.ownerTeam ?? '?'}'s approvers`,
      };
    case 'not_team_member':
      return {
        allowed: false,
        rule,
        message: `${p.user} is not in team ${r.ownerTeam ?? '?'}, which owns ${r.database ?? 'it'} (${action})`,
        hint: 'a team works only with its own databases; ask the owning team or a DBA admin',
      };
    case 'override_disabled':
      return {
        allowed: false,
        rule,
        message: `${p.user} may approve only through the DBA-admin override, which is off (${what})`,
        hint: 'set policy.dba_admin_can_approve: true in lifeboat.yaml, or ask the owning team',
      };
    case 'read_only_role':
      return {
        allowed: false,
        rule,
        message: `${p.user} has read-only access (${what})`,
        hint: 'the auditor role reads everything and changes nothing',
      };
    case 'role_not_allowed':
      return {
        allowed: false,
        rule,
        message: `${p.user}'s roles (${p.roles.join(', ')}) do not allow ${what}`,
        hint: 'ask an admin for a role that allows it',
      };
    default: {
      const never: never = rule;
      throw new Error(String(never));
    }
  }
}
