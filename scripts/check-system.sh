#!/usr/bin/env bash
# Verifies that the system tools the tests use are installed, and says how to get them if not.
# (.ci/run installs them on a fresh machine; on your own machine run: sudo scripts/install-system-deps.sh)
set -uo pipefail
missing=()
pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -n "${LIFEBOAT_PG_BIN:-}" ] && pgbin=$LIFEBOAT_PG_BIN
for tool in initdb pg_ctl pg_dump pg_restore; do
  [ -x "$pgbin/$tool" ] || command -v "$tool" >/dev/null || missing+=("postgresql ($tool)")
done
# the web UI's browser tests (test/ui) drive Debian's chromium
[ -x /usr/bin/chromium ] || missing+=("chromium (/usr/bin/chromium)")
# physical backups (pgBackRest), /metrics (promtool, Prometheus), incidents (Alertmanager)
for tool in pgbackrest promtool prometheus prometheus-alertmanager openssl; do
  command -v "$tool" >/dev/null || missing+=("$tool")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "missing system packages: ${missing[*]}" >&2
  echo "HINT: run 'sudo bash scripts/install-system-deps.sh' (Debian/Ubuntu), then retry" >&2
  exit 2
fi
