// "Back up now": takes a backup of a database on a worker and waits (a minute at most) for it to
// finish, then says so, so that the wizard and the backups page can go on with it.
import type { BackupDetail } from '../../src/contract/backups.js';
import { get, post } from './api.js';
import { ErrorBox, Status } from './ui.js';
import { useAction } from './wizard/action.js';
import { useState } from 'react';

export function BackupNow({ database, onDone }: { database: string; onDone: () => void }) {
  const action = useAction();
  const [last, setLast] = useState<BackupDetail | null>(null);
  const run = () =>
    void action.run(async () => {
      const queued = await post<BackupDetail>('/api/v1/backups', { database });
      setLast(queued);
      const done = await get<BackupDetail>(`/api/v1/backups/${encodeURIComponent(queued.id)}?wait=60`);
      setLast(done);
      onDone();
    });
  return (
    <span className="backup-now">
      <button type="button" onClick={run} disabled={action.busy}>
        {action.busy ? `Backing up ${database}…` : `Back up ${database} now`}
      </button>{' '}
      {last && !action.busy && (
        <span role="status">
          Backup {last.id} <Status status={last.status} />
        </span>
      )}
      <ErrorBox error={action.error} />
    </span>
  );
}
