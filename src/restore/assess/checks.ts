// A restore's safety checks, pure: each is a named function of the facts (facts.ts) that always
// returns a result — `blocking` (execution is impossible), `warning` (the requester must
// acknowledge it) or `safe` — with a stable code naming what it looks for, a message, and for
// blocking and warning a hint. A check that does not apply says so as `safe`, so the requester
// sees everything that was looked at; a check that could not be made (the destination did not
// answer) is a `warning` saying so, never a `safe`. The checks of the plan are in
// plan-checks.ts, those of the destination now in destination-checks.ts.
import { type Check, type CheckCode, warning } from './check-result.js';
import {
  destinationChanged,
  destinationSessions,
  destinationUnreachable,
  extensionMissing,
  foreignKeysOutsideScope,
  schemaDiffers,
  serverVersionOlder,
} from './destination-checks.js';
import type { AssessFacts, ReachableDestination } from './facts.js';
import {
  backupNotVerified,
  destinationForbidden,
  destinationNotAllowed,
  destinationProduction,
  destinationRunActive,
  maskingKeyMissing,
  postRestoreScriptMissing,
  rpoExceeded,
  scopeNeedsMasking,
  sensitiveUnmasked,
} from './plan-checks.js';

export { type Check, CHECK_CODES, type CheckCode } from './check-result.js';
export { uncoveredSensitive } from './plan-checks.js';
export function evaluateChecks(f: AssessFacts): Check[] {
  const d = f.destinationState;
  const onDestination = (check: (d: ReachableDestination) => Check, code: CheckCode): Check =>
    d.reachable
      ? check(d)
      : warning(
          code,
          `not checked: ${f.destination.server} could not be reached`,
          'check again once the destination server answers',
        );
  return [
    destinationNotAllowed(f),
    destinationForbidden(f),
    destinationProduction(f),
    backupNotVerified(f),
    rpoExceeded(f),
    sensitiveUnmasked(f),
    scopeNeedsMasking(f),
    maskingKeyMissing(f),
    postRestoreScriptMissing(f),
    destinationUnreachable(f),
    onDestination((d) => serverVersionOlder(f, d), 'server_version_older'),
    onDestination((d) => extensionMissing(f, d), 'extension_missing'),
    destinationRunActive(f),
    onDestination((d) => destinationSessions(f, d), 'destination_sessions'),
    onDestination((d) => destinationChanged(f, d), 'destination_changed'),
    onDestination(() => schemaDiffers(f), 'schema_differs'),
    onDestination((d) => foreignKeysOutsideScope(f, d), 'foreign_keys_outside_scope'),
  ];
}
