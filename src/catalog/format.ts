// The human form of config issues, one per line, in the order an editor would visit them:
//   lifeboat.yaml:12:7  databases.CustomerDB.owner  unknown_reference  team "team-beta" is not defined  (HINT: …)
// Keys not acted on yet (warnings) print the same way, with the code `not_acted_on`.
import type { ConfigIssue, ConfigWarning } from './config-error.js';

export function formatIssues(issues: readonly (ConfigIssue | ConfigWarning)[], file: string): string {
  return issues
    .map((i) => {
      const hint = !('hint' in i) || i.hint === undefined ? '' : `  (HINT: ${i.hint})`;
      return `${file}:${i.line}:${i.column}  ${i.path === '' ? '(file)' : i.path}  ${i.code}  ${i.message}${hint}`;
    })
    .join('\n');
}
