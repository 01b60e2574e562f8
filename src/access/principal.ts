// Who is asking: a user from lifeboat.yaml with their roles and teams. How they proved it (API
// token today, OIDC later) is the authenticator's business; the policy only sees a Principal.
import type { Catalog, Role } from '../catalog/types.js';

export interface Principal {
  user: string;
  roles: readonly Role[];
  /** Teams the user belongs to, as member or approver. */
  teams: readonly string[];
  /** Teams whose approvers list names the user. */
  approverOf: readonly string[];
  /** How the principal was authenticated, for the audit trail ("token:1a2b3c4d", "local:root"). */
  via: string;
}

export function principalFor(catalog: Catalog, user: string, via: string): Principal | undefined {
  const u = catalog.users[user];
  if (!u) return undefined;
  const teams: string[] = [];
  const approverOf: string[] = [];
  for (const t of Object.values(catalog.teams)) {
    const approver = t.approvers.includes(user);
    if (approver) approverOf.push(t.name);
    if (approver || t.members.includes(user)) teams.push(t.name);
  }
  return Object.freeze({ user, roles: [...u.roles], teams, approverOf, via });
}
