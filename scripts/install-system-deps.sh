#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages Lifeboat's tests use, only those that are missing.
set -euo pipefail
need=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql postgresql-client)
command -v zstd >/dev/null || need+=(zstd)
command -v ps >/dev/null || need+=(procps)
# the web UI's browser tests (test/ui) drive Debian's chromium with playwright-core
command -v chromium >/dev/null || need+=(chromium)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then echo "run as root to install: ${need[*]}" >&2; exit 2; fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}"
  # the package starts a cluster of its own; Lifeboat and its tests run their own clusters
  if command -v pg_lsclusters >/dev/null; then pg_lsclusters -h | awk '{print $1, $2}' | while read -r v c; do pg_ctlcluster "$v" "$c" stop || true; done; fi
fi
echo "system packages: ok"
