// Re-pointing the application at the recovered database: the database's `dr.cutover` hooks, in
// order, each one recorded in the timeline. A command hook runs without a shell, with a small
// environment of its own (PATH, HOME, LANG and the LIFEBOAT_* variables below: never the worker's
// environment, which holds the secrets lifeboat.yaml references); the password is only in
// LIFEBOAT_RECOVERED_URL, and whatever the hook prints is redacted of it before it is recorded.
// A webhook gets the same facts as JSON, without the password.
//   LIFEBOAT_INCIDENT, LIFEBOAT_DATABASE (the catalog name), LIFEBOAT_RECOVERED_HOST,
//   LIFEBOAT_RECOVERED_PORT, LIFEBOAT_RECOVERED_DBNAME, LIFEBOAT_RECOVERED_USER,
//   LIFEBOAT_RECOVERED_URL (postgres://user:password@host:port/dbname)
import type { CutoverHook } from '../catalog/types.js';
import type { InstanceDoc } from '../contract/dr.js';
import { LifeboatError, messageOf } from '../errors.js';
import { run, tail } from '../lib/process.js';
import { redact, type Secret } from '../lib/secret.js';
import type { TimelineEntry } from './incident-state.js';

export const CUTOVER_TIMEOUT_MS = 10 * 60_000;

export interface CutoverTarget {
  incident: number;
  database: string;
  instance: InstanceDoc;
  /** The connection URL with the password, to the recovered database. */
  url: Secret;
}

/** The environment a command hook runs with. */
export function cutoverEnv(t: CutoverTarget, base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return {
    PATH: base.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    ...(base.HOME ? { HOME: base.HOME } : {}),
    LANG: base.LANG ?? 'C.UTF-8',
    LIFEBOAT_INCIDENT: String(t.incident),
    LIFEBOAT_DATABASE: t.database,
    LIFEBOAT_RECOVERED_HOST: t.instance.host,
    LIFEBOAT_RECOVERED_PORT: String(t.instance.port),
    LIFEBOAT_RECOVERED_DBNAME: t.instance.dbname,
    LIFEBOAT_RECOVERED_USER: t.instance.user,
    LIFEBOAT_RECOVERED_URL: t.url.reveal(),
  };
}

/** Runs every hook in order; throws (naming the hook) at the first that fails. */
export async function runCutover(
  hooks: readonly CutoverHook[],
  t: CutoverTarget,
  record: (e: TimelineEntry) => Promise<void>,
  signal: AbortSignal,
): Promise<void> {
  for (const [i, hook] of hooks.entries()) {
    const name = `cutover hook ${i + 1} of ${hooks.length}`;
    const started = Date.now();
    switch (hook.kind) {
      case 'command': {
        const timeout = AbortSignal.any([signal, AbortSignal.timeout(CUTOVER_TIMEOUT_MS)]);
        let r;
        try {
          r = await run(hook.argv[0]!, hook.argv.slice(1), {
            env: cutoverEnv(t, process.env),
            signal: timeout,
            cwd: '/',
          });
        } catch (err) {
          throw new LifeboatError('engine_failed', `${name} (${hook.argv[0]}) could not start: ${messageOf(err)}`, {
            hint: 'the command is run without a shell: give the program and its arguments as a list, with an absolute path',
          });
        }
        const output = redact(tail(`${r.stdout}\n${r.stderr}`.trim(), 5), [t.url]);
        if (r.code !== 0) {
          throw new LifeboatError(
            'engine_failed',
            `${name} (${hook.argv[0]}) ${r.code === null ? `was killed (${r.signal})` : `exited with ${r.code}`}${output ? `: ${output}` : ''}`,
            { hint: 'fix the hook and execute the incident again: `lifeboat dr execute <incident>`' },
          );
        }
        await record({
          kind: 'step_finished',
          message: `${name}: ${hook.argv[0]} exited 0${output ? ` (${output})` : ''}`,
          details: { step: 'cutover_hook', hook: i + 1, command: hook.argv[0], ms: Date.now() - started },
        });
        break;
      }
      case 'webhook': {
        const body = {
          incident: t.incident,
          database: t.database,
          recovered: {
            kind: t.instance.kind,
            host: t.instance.host,
            port: t.instance.port,
            dbname: t.instance.dbname,
            user: t.instance.user,
          },
        };
        let status: number;
        try {
          const res = await fetch(hook.url, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'user-agent': 'lifeboat-dr' },
            body: JSON.stringify(body),
            signal: AbortSignal.any([signal, AbortSignal.timeout(30_000)]),
          });
          status = res.status;
          await res.body?.cancel();
        } catch (err) {
          throw new LifeboatError('engine_failed', `${name} (POST ${hook.url}) failed: ${messageOf(err)}`, {
            hint: 'check that the webhook is reachable from the worker',
          });
        }
        if (status < 200 || status >= 300)
          throw new LifeboatError('engine_failed', `${name} (POST ${hook.url}) answered ${status}`, {
            hint: 'a webhook hook succeeds with a 2xx answer',
          });
        await record({
          kind: 'step_finished',
          message: `${name}: POST ${hook.url} answered ${status}`,
          details: { step: 'cutover_hook', hook: i + 1, webhook: hook.url, status, ms: Date.now() - started },
        });
        break;
      }
      default: {
        const never: never = hook;
        return never;
      }
    }
  }
}
