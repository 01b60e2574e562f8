// A run kept up to date from its server-sent events stream (GET /api/v1/runs/:id/events).
import { useEffect, useState } from 'react';
import type { RunDoc } from '../../src/contract/runs.js';
import { streamEvents } from './api.js';

export function useLiveRun(initial: RunDoc | undefined, live: boolean): { run: RunDoc | undefined; error: unknown } {
  const [run, setRun] = useState(initial);
  const [error, setError] = useState<unknown>(undefined);
  useEffect(() => setRun(initial), [initial]);
  const id = initial?.id;
  useEffect(() => {
    if (id === undefined || !live) return;
    const ac = new AbortController();
    streamEvents(
      `/api/v1/runs/${id}/events`,
      (event, data) => {
        if (event === 'progress' || event === 'end') setRun((prev) => ({ ...prev, ...(JSON.parse(data) as RunDoc) }));
      },
      ac.signal,
    ).catch((err: unknown) => {
      if (!ac.signal.aborted) setError(err);
    });
    return () => ac.abort();
  }, [id, live]);
  return { run, error };
}
