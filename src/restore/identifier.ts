// The destination identifier a user types back to confirm a restore (PRODUCT.md contract):
// `<server>/<dbname>`, or `RESTORE <database>` for a production destination. Pure.
import type { Tier } from '../catalog/types.js';
import { LifeboatError, quoteInput } from '../errors.js';

export function confirmationFor(d: { server: string; dbname: string; tier: Tier; database: string }): string {
  return d.tier === 'production' ? `RESTORE ${d.database}` : `${d.server}/${d.dbname}`;
}

/** Parses `--to <server>[/<dbname>]`; the database name defaults to the source's name. */
export function parseDestination(to: string, defaultDbname: string): { server: string; dbname: string } {
  const m = /^([A-Za-z][A-Za-z0-9_.-]*)(?:\/([^/\s]+))?$/.exec(to.trim());
  if (!m) {
    throw new LifeboatError('invalid_request', `invalid destination ${quoteInput(to)}`, {
      hint: 'use <server> or <server>/<dbname>, e.g. dev-pg01/customer',
    });
  }
  return { server: m[1]!, dbname: m[2] ?? defaultDbname };
}

/**
 * Checks the typed confirmation. The messages name the real destination `<server>/<dbname>`,
 * since a production identifier (`RESTORE <database>`) names the database restored, not the one
 * overwritten.
 */
export function assertConfirmation(expected: string, typed: string | undefined, destination: string): void {
  if (typed !== expected) {
    throw new LifeboatError(
      'confirmation_mismatch',
      typed === undefined
        ? `the restore into ${destination} needs a typed confirmation`
        : `the confirmation ${quoteInput(typed)} does not match the destination ${destination}`,
      {
        hint: `type the destination identifier exactly: --confirm "${expected}"`,
      },
    );
  }
}
