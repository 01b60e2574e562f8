// Step: run the database's post_restore steps, in order, against the staging database: SQL
// scripts (one transaction each) and commands (with the staging database's URL in their
// environment as LIFEBOAT_STAGING_URL and the libpq PG* variables).
import { readFile } from 'node:fs/promises';
import type { PostRestoreStep } from '../../catalog/types.js';
import { withClient } from '../../engines/postgres/admin.js';
import { libpqEnv, withDatabase } from '../../engines/postgres/libpq.js';
import { LifeboatError } from '../../errors.js';
import { run, tail } from '../../lib/process.js';
import { redact, type Secret } from '../../lib/secret.js';
import type { RunTracker } from '../progress.js';

export async function runPostRestore(
  steps: readonly PostRestoreStep[],
  url: Secret,
  staging: string,
  tracker: RunTracker,
  signal: AbortSignal,
): Promise<void> {
  for (const [i, step] of steps.entries()) {
    if (signal.aborted) throw signal.reason;
    switch (step.kind) {
      case 'sql': {
        tracker.log(`post-restore ${i + 1}: ${step.path}`);
        let text: string;
        try {
          text = await readFile(step.path, 'utf8');
        } catch {
          throw new LifeboatError('config_invalid', `post-restore script ${step.path} cannot be read`, {
            hint: 'check the path in post_restore (relative to lifeboat.yaml)',
          });
        }
        await withClient(url, staging, async (c) => {
          try {
            await c.query(`begin;\n${text}\n;commit;`);
          } catch (err) {
            await c.query('rollback').catch(() => {});
            throw new LifeboatError(
              'engine_failed',
              `post-restore script ${step.path} failed: ${redact((err as Error).message, [url])}`,
              {
                hint: 'fix the script; the destination was not touched',
              },
            );
          }
        });
        break;
      }
      case 'command': {
        tracker.log(`post-restore ${i + 1}: command`);
        const env = { ...libpqEnv(url, staging), LIFEBOAT_STAGING_URL: withDatabase(url, staging) };
        const r = await run('/bin/sh', ['-c', step.command], {
          env,
          signal,
          onStderrLine: (l) => tracker.log(`command: ${l}`),
        });
        if (r.code !== 0) {
          throw new LifeboatError(
            'engine_failed',
            `post-restore command ${i + 1} exited with ${r.code ?? r.signal}: ${redact(tail(r.stderr, 2), [url])}`,
            {
              hint: 'fix the command; the destination was not touched',
            },
          );
        }
        break;
      }
      default: {
        const never: never = step;
        throw new Error(String(never));
      }
    }
  }
}
