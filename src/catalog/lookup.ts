// Small pure lookups over the catalog that many modules need, with the not-found error
// written once. Own-property checks only: a name such as "constructor" must not find
// something from Object.prototype.
import { LifeboatError, quoteInput } from '../errors.js';
import type { Catalog, DatabaseConfig, ServerConfig, TeamConfig } from './types.js';

function find<T>(record: Readonly<Record<string, T>>, name: string, kind: string): T {
  if (Object.hasOwn(record, name)) return record[name]!;
  const known = Object.keys(record);
  throw new LifeboatError('not_found', `${kind} ${quoteInput(name)} is not in the catalog`, {
    hint: known.length === 0 ? `no ${kind}s are defined in lifeboat.yaml` : `known ${kind}s: ${known.join(', ')}`,
  });
}

export function getDatabase(catalog: Catalog, name: string): DatabaseConfig {
  return find(catalog.databases, name, 'database');
}

export function getServer(catalog: Catalog, name: string): ServerConfig {
  return find(catalog.servers, name, 'server');
}

export function getTeam(catalog: Catalog, name: string): TeamConfig {
  return find(catalog.teams, name, 'team');
}

/** Teams the user belongs to, as member or approver. */
export function teamsOfUser(catalog: Catalog, user: string): TeamConfig[] {
  return Object.values(catalog.teams).filter((t) => t.members.includes(user) || t.approvers.includes(user));
}

export function isApprover(catalog: Catalog, user: string, team: string): boolean {
  return Object.hasOwn(catalog.teams, team) && catalog.teams[team]!.approvers.includes(user);
}
