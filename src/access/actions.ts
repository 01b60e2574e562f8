// Everything a user can ask Lifeboat to do, as the access policy names it. Routes and CLI
// commands map onto these; adding a capability means adding its actions here and deciding, in
// policy.ts, which roles may take them.

export const ACTIONS = [
  'catalog.view',
  'config.reload',
  'restore.view',
  'restore.request',
  'restore.approve',
  'restore.cancel',
  'restore.undo',
  'backup.view',
  'backup.run',
  'backup.verify',
  'backup.prune',
  'backup.fetch',
  /** set up a server's pgBackRest stanza and take physical backups: dba-admin and admin */
  'backup.physical',
  'drill.view',
  'drill.run',
  'dr.view',
  'dr.declare',
  'dr.execute',
  'schema.view',
  'schema.snapshot',
  'schema.accept',
  'masking.scan',
  'audit.read',
  'notification.view',
  'notification.manage',
] as const;

export type Action = (typeof ACTIONS)[number];

/** Actions that only read. The auditor role may take exactly these. */
export const READ_ACTIONS: ReadonlySet<Action> = new Set<Action>([
  'catalog.view',
  'restore.view',
  'backup.view',
  'drill.view',
  'dr.view',
  'schema.view',
  'audit.read',
  'notification.view',
]);

/** What an action is about. System-wide actions have no database. */
export interface Resource {
  database?: string;
  /** The team that owns `database`. */
  ownerTeam?: string;
  /** For actions on a run: who requested it (nobody approves their own run). */
  requestedBy?: string;
}
