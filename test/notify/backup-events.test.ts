// The one writer of a backup's status records `backup.failed` and `backup.corrupt` in the
// transaction of the change, and nothing for the other changes.
import { describe, expect, test } from 'vitest';
import { markCorrupt, setBackupStatus } from '../../src/backup/set-status.js';
import { backupNotifyType } from '../../src/notify/backup-events.js';
import { BACKUP_STATUSES } from '../../src/backup/status.js';
import { freshStore } from '../harness/store.js';

describe('backup events', () => {
  test('only a change into failed or corrupt notifies; a corrupt backup found corrupt again does not', () => {
    for (const from of BACKUP_STATUSES)
      for (const to of BACKUP_STATUSES) {
        const expected =
          from === to ? undefined : to === 'failed' ? 'backup.failed' : to === 'corrupt' ? 'backup.corrupt' : undefined;
        expect(backupNotifyType(from, to), `${from}→${to}`).toBe(expected);
      }
    expect(backupNotifyType('running', 'failed')).toBe('backup.failed');
    expect(backupNotifyType('verified', 'corrupt')).toBe('backup.corrupt');
    expect(backupNotifyType('corrupt', 'corrupt')).toBeUndefined();
    expect(backupNotifyType('completed', 'verified')).toBeUndefined();
    // a cancellation is someone's decision, not a failure to tell the team about
    expect(backupNotifyType('running', 'cancelled')).toBeUndefined();
  });

  test('a failed backup and a corrupt one are recorded with their reason, in the change', async () => {
    const store = await freshStore();
    const insert = (id: string, status: string) =>
      store.db
        .insertInto('backups')
        .values({
          id,
          database: 'CustomerDB',
          server: 'prod-pg01',
          storage: 'main',
          status,
          trigger: 'manual',
          requested_by: 't',
        })
        .execute();
    await insert('b-fail', 'queued');
    await insert('b-bad', 'verified');
    await setBackupStatus(store.db, 'b-fail', 'start');
    await setBackupStatus(store.db, 'b-fail', 'fail', {
      set: { error: 'pg_dump: connection to postgres://u:pw-123@h/db failed' },
      audit: { actor: 'worker', action: 'backup.fail', outcome: 'failure' },
    });
    await markCorrupt(
      store.db,
      { backupId: 'b-bad', reason: 'toc.dat: checksum mismatch' },
      { actor: 'alice', by: 'fetch' },
    );
    const events = await store.db.selectFrom('notification_events').selectAll().orderBy('id').execute();
    expect(events.map((e) => [e.type, e.subject_type, e.subject_id, e.data])).toEqual([
      [
        'backup.failed',
        'backup',
        'b-fail',
        {
          backup: 'b-fail',
          database: 'CustomerDB',
          server: 'prod-pg01',
          status: 'failed',
          reason: 'pg_dump: connection to postgres://u:***@h/db failed',
          actor: 'worker',
        },
      ],
      [
        'backup.corrupt',
        'backup',
        'b-bad',
        {
          backup: 'b-bad',
          database: 'CustomerDB',
          server: 'prod-pg01',
          status: 'corrupt',
          reason: 'toc.dat: checksum mismatch',
          actor: 'alice',
        },
      ],
    ]);
  });
});
