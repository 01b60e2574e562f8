// Every cell of the access matrix: each role × each action × own team / other team / system,
// plus self-approval for every role, with and without the DBA-admin override switch.
import { describe, expect, it } from 'vitest';
import { ACTIONS, type Action, type Resource } from '../../src/access/actions.js';
import { decide, type DenyRule, teamScope } from '../../src/access/policy.js';
import type { Principal } from '../../src/access/principal.js';
import type { Role } from '../../src/catalog/types.js';

const OWN = { database: 'CustomerDB', ownerTeam: 'team-alpha', requestedBy: 'someone-else' };
const OTHER = { database: 'BillingDB', ownerTeam: 'team-beta', requestedBy: 'someone-else' };

function principal(role: Role): Principal {
  // a db-owner is on team-alpha's approvers list; everyone else is a plain member
  return {
    user: 'u',
    roles: [role],
    teams: ['team-alpha'],
    approverOf: role === 'db-owner' ? ['team-alpha'] : [],
    via: 'test',
  };
}

const ALL = new Set<Action>(ACTIONS);
const set = (...a: Action[]) => new Set<Action>(a);
const DEV = set(
  'catalog.view',
  'restore.view',
  'restore.request',
  'backup.view',
  'drill.view',
  'dr.view',
  'schema.view',
  'schema.snapshot',
);
const OWNER = set(
  ...DEV,
  'restore.approve',
  'restore.cancel',
  'restore.undo',
  'backup.run',
  'backup.verify',
  'drill.run',
  'masking.scan',
  'schema.accept',
);
const READS = set(
  'catalog.view',
  'restore.view',
  'backup.view',
  'drill.view',
  'dr.view',
  'schema.view',
  'audit.read',
  'notification.view',
);
const RECOVERY = set(
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
);
const without = (s: Set<Action>, ...a: Action[]) => new Set([...s].filter((x) => !a.includes(x)));

/** The expected matrix, written out independently of the policy's own tables. */
const EXPECTED: Record<
  Role,
  { own: Set<Action>; other: Set<Action>; overrideOn: { own: Set<Action>; other: Set<Action> } }
> = {
  developer: { own: DEV, other: set(), overrideOn: { own: DEV, other: set() } },
  'db-owner': { own: OWNER, other: set(), overrideOn: { own: OWNER, other: set() } },
  'dba-admin': {
    own: without(ALL, 'restore.approve'),
    other: without(ALL, 'restore.approve'),
    overrideOn: { own: ALL, other: ALL },
  },
  admin: {
    own: without(ALL, 'restore.approve'),
    other: without(ALL, 'restore.approve'),
    overrideOn: { own: ALL, other: ALL },
  },
  'recovery-operator': { own: RECOVERY, other: RECOVERY, overrideOn: { own: RECOVERY, other: RECOVERY } },
  auditor: { own: READS, other: READS, overrideOn: { own: READS, other: READS } },
};

const ROLES = Object.keys(EXPECTED) as Role[];

describe('access policy matrix', () => {
  for (const role of ROLES) {
    for (const override of [false, true]) {
      describe(`${role} (dba_admin_can_approve: ${override})`, () => {
        const exp = override ? EXPECTED[role].overrideOn : EXPECTED[role];
        for (const action of ACTIONS) {
          it(`${action} on own team's database → ${exp.own.has(action) ? 'allowed' : 'denied'}`, () => {
            const d = decide(principal(role), action, OWN, { dbaAdminCanApprove: override });
            expect(d.allowed).toBe(exp.own.has(action));
          });
          it(`${action} on another team's database → ${exp.other.has(action) ? 'allowed' : 'denied'}`, () => {
            const d = decide(principal(role), action, OTHER, { dbaAdminCanApprove: override });
            expect(d.allowed).toBe(exp.other.has(action));
          });
        }
      });
    }
  }

  describe('self-approval is refused for every role, even with the override on', () => {
    for (const role of ROLES) {
      for (const override of [false, true]) {
        it(`${role}, override ${override}`, () => {
          const d = decide(
            principal(role),
            'restore.approve',
            { ...OWN, requestedBy: 'u' },
            { dbaAdminCanApprove: override },
          );
          expect(d).toMatchObject({ allowed: false, rule: 'self_approval' });
        });
      }
    }
  });

  it.each<[Role, Action, typeof OWN, boolean, DenyRule]>([
    ['developer', 'restore.approve', OWN, false, 'not_approver'],
    ['developer', 'restore.request', OTHER, false, 'not_team_member'],
    ['db-owner', 'restore.approve', OTHER, false, 'not_team_member'],
    ['dba-admin', 'restore.approve', OWN, false, 'override_disabled'],
    ['auditor', 'restore.request', OWN, false, 'read_only_role'],
    ['recovery-operator', 'restore.request', OWN, false, 'role_not_allowed'],
    ['developer', 'dr.execute', OWN, false, 'role_not_allowed'],
  ])('%s %s names the rule that refused', (role, action, resource, override, rule) => {
    const d = decide(principal(role), action, resource, { dbaAdminCanApprove: override });
    expect(d).toMatchObject({ allowed: false, rule });
    if (!d.allowed) {
      expect(d.message).toContain('u');
      expect(d.hint.length).toBeGreaterThan(10);
    }
  });

  it('marks an approval granted through the DBA-admin override as an override', () => {
    expect(decide(principal('dba-admin'), 'restore.approve', OTHER, { dbaAdminCanApprove: true })).toEqual({
      allowed: true,
      role: 'dba-admin',
      override: true,
    });
  });

  it('a db-owner who is also a dba-admin approves their own team without an override', () => {
    const p = { ...principal('db-owner'), roles: ['dba-admin', 'db-owner'] as Role[] };
    expect(decide(p, 'restore.approve', OWN, { dbaAdminCanApprove: true })).toEqual({
      allowed: true,
      role: 'db-owner',
      override: false,
    });
  });

  it('a db-owner who is a member but not on the approvers list cannot approve', () => {
    const p = { ...principal('db-owner'), approverOf: [] };
    expect(decide(p, 'restore.approve', OWN, { dbaAdminCanApprove: false })).toMatchObject({
      allowed: false,
      rule: 'not_approver',
    });
  });

  it.each<[Role, boolean | DenyRule]>([
    ['dba-admin', true],
    ['admin', true],
    ['developer', 'role_not_allowed'],
    ['db-owner', 'role_not_allowed'],
    ['recovery-operator', 'role_not_allowed'],
    ['auditor', 'read_only_role'],
  ])('config.reload (system-wide) for %s → %s', (role, expected) => {
    const d = decide(principal(role), 'config.reload', {}, { dbaAdminCanApprove: false });
    expect(d.allowed ? true : d.rule).toBe(expected);
  });

  it('a raw dump (backup.fetch) is for dba-admin, admin and recovery-operator only, never a team role', () => {
    const allowed = ROLES.filter((role) =>
      [OWN, OTHER].every((r) => decide(principal(role), 'backup.fetch', r, { dbaAdminCanApprove: true }).allowed),
    );
    expect(allowed).toEqual(['dba-admin', 'admin', 'recovery-operator']);
    expect(decide(principal('db-owner'), 'backup.fetch', OWN, { dbaAdminCanApprove: false })).toMatchObject({
      allowed: false,
      rule: 'role_not_allowed',
    });
  });

  // disaster recovery: a team sees its own database's incidents; recovering is for the recovery
  // operators and DBA admins; auditors read every incident
  // (a server's physical backups and WAL archive, `dr.view` with no database, are not a team's)
  it.each<[Role, { viewOwn: boolean; viewOther: boolean; viewServer: boolean; declare: boolean; execute: boolean }]>([
    ['developer', { viewOwn: true, viewOther: false, viewServer: false, declare: false, execute: false }],
    ['db-owner', { viewOwn: true, viewOther: false, viewServer: false, declare: false, execute: false }],
    ['auditor', { viewOwn: true, viewOther: true, viewServer: true, declare: false, execute: false }],
    ['recovery-operator', { viewOwn: true, viewOther: true, viewServer: true, declare: true, execute: true }],
    ['dba-admin', { viewOwn: true, viewOther: true, viewServer: true, declare: true, execute: true }],
    ['admin', { viewOwn: true, viewOther: true, viewServer: true, declare: true, execute: true }],
  ])('disaster recovery for %s: %o', (role, exp) => {
    const s = { dbaAdminCanApprove: false };
    const can = (action: Action, r: Resource) => decide(principal(role), action, r, s).allowed;
    expect({
      viewOwn: can('dr.view', OWN),
      viewOther: can('dr.view', OTHER),
      viewServer: can('dr.view', {}),
      declare: can('dr.declare', OWN) && can('dr.declare', OTHER),
      execute: can('dr.execute', OWN) && can('dr.execute', OTHER),
    }).toEqual(exp);
    // the incident list shows exactly what dr.view allows
    expect(teamScope(principal(role), 'dr.view', s)).toEqual(
      exp.viewOther ? { all: true } : { all: false, teams: ['team-alpha'] },
    );
  });

  it('system-wide reads (audit) are for auditors and admins only', () => {
    const sys = {};
    expect(decide(principal('auditor'), 'audit.read', sys, { dbaAdminCanApprove: false }).allowed).toBe(true);
    expect(decide(principal('dba-admin'), 'audit.read', sys, { dbaAdminCanApprove: false }).allowed).toBe(true);
    expect(decide(principal('developer'), 'audit.read', sys, { dbaAdminCanApprove: false })).toMatchObject({
      allowed: false,
      rule: 'role_not_allowed',
    });
  });
});

describe('the team scope of list endpoints', () => {
  const TEAMS = ['team-alpha', 'team-beta', 'team-gamma'];
  const roleSets = Array.from({ length: 2 ** ROLES.length - 1 }, (_, i) => ROLES.filter((_r, b) => (i + 1) & (1 << b)));

  it('agrees with decide for every set of roles, every action, every team and both override settings', () => {
    let cells = 0;
    for (const roles of roleSets) {
      for (const teams of [[], ['team-alpha'], ['team-alpha', 'team-gamma']]) {
        const p: Principal = { user: 'u', roles, teams, approverOf: teams.slice(0, 1), via: 'test' };
        for (const action of ACTIONS) {
          for (const dbaAdminCanApprove of [false, true]) {
            const s = { dbaAdminCanApprove };
            const scope = teamScope(p, action, s);
            for (const ownerTeam of TEAMS) {
              const allowed = decide(p, action, { database: 'SomeDB', ownerTeam }, s).allowed;
              expect(scope.all || scope.teams.includes(ownerTeam), `${roles} ${teams} ${action} ${ownerTeam}`).toBe(
                allowed,
              );
              cells++;
            }
          }
        }
      }
    }
    expect(cells).toBe(63 * 3 * ACTIONS.length * 2 * 3);
  });

  it('is every team for the roles that see everything, and the own teams for the others', () => {
    const p = (...roles: Role[]): Principal => ({
      user: 'u',
      roles,
      teams: ['team-alpha', 'team-gamma'],
      approverOf: [],
      via: 'test',
    });
    const s = { dbaAdminCanApprove: false };
    for (const role of ['dba-admin', 'admin', 'auditor', 'recovery-operator'] as const) {
      expect(teamScope(p(role), 'restore.view', s), role).toEqual({ all: true });
    }
    expect(teamScope(p('developer'), 'restore.view', s)).toEqual({ all: false, teams: ['team-alpha', 'team-gamma'] });
    expect(teamScope(p('db-owner'), 'backup.view', s)).toEqual({ all: false, teams: ['team-alpha', 'team-gamma'] });
    expect(teamScope({ ...p('developer'), teams: [] }, 'backup.view', s)).toEqual({ all: false, teams: [] });
    expect(teamScope(p('auditor'), 'backup.run', s)).toEqual({ all: false, teams: [] });
  });

  it("is the approver's inbox for restore.approve: the teams they approve for, every team through the override", () => {
    const owner: Principal = {
      user: 'u',
      roles: ['db-owner'],
      teams: ['team-alpha', 'team-gamma'],
      approverOf: ['team-alpha'],
      via: 'test',
    };
    expect(teamScope(owner, 'restore.approve', { dbaAdminCanApprove: false })).toEqual({
      all: false,
      teams: ['team-alpha'],
    });
    const admin: Principal = { ...owner, roles: ['dba-admin'], approverOf: [] };
    expect(teamScope(admin, 'restore.approve', { dbaAdminCanApprove: false })).toEqual({ all: false, teams: [] });
    expect(teamScope(admin, 'restore.approve', { dbaAdminCanApprove: true })).toEqual({ all: true });
    for (const role of ['developer', 'auditor', 'recovery-operator'] as const) {
      expect(teamScope({ ...owner, roles: [role] }, 'restore.approve', { dbaAdminCanApprove: true }), role).toEqual({
        all: false,
        teams: [],
      });
    }
  });
});
