// Exit codes (PRODUCT.md contract): 0 success, 1 the thing checked failed, 2 usage or config
// error, 3 refused (forbidden, blocked by a check), 4 not found.
import { ERROR_CODES } from '../errors.js';

export const EXIT = { ok: 0, failed: 1, usage: 2, refused: 3, notFound: 4 } as const;

export function exitCodeFor(code: string): number {
  const status = (ERROR_CODES as Record<string, number>)[code];
  if (status === 401 || status === 403) return EXIT.refused;
  switch (code) {
    case 'config_invalid':
    case 'invalid_request':
    case 'store_not_found': // run in the wrong directory, or without --data-dir: a usage error
      return EXIT.usage;
    case 'unauthenticated':
    case 'forbidden':
    case 'blocked_by_check':
    case 'confirmation_mismatch':
    case 'invalid_transition':
    case 'destination_locked':
    case 'conflict':
      return EXIT.refused;
    case 'not_found':
      return EXIT.notFound;
    default:
      return EXIT.failed;
  }
}
