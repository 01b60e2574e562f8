#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages Lifeboat's tests use, only those that are missing.
set -euo pipefail
need=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql postgresql-client)
command -v zstd >/dev/null || need+=(zstd)
command -v ps >/dev/null || need+=(procps)
# TLS test servers (SMTP STARTTLS, S3 over HTTPS) get self-signed certificates from openssl
command -v openssl >/dev/null || need+=(openssl)
# the web UI's browser tests (test/ui) drive Debian's chromium with playwright-core
command -v chromium >/dev/null || need+=(chromium)
# physical backups and point-in-time recovery (issue 18)
command -v pgbackrest >/dev/null || need+=(pgbackrest)
# /metrics is checked with promtool and scraped by a real Prometheus; incidents come from Alertmanager
command -v promtool >/dev/null || need+=(prometheus)
command -v prometheus-alertmanager >/dev/null || need+=(prometheus-alertmanager)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then echo "run as root to install: ${need[*]}" >&2; exit 2; fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}"
  # the package starts a cluster of its own; Lifeboat and its tests run their own clusters
  # the packages may start services of their own (where systemd runs); the tests start their own
  for svc in prometheus prometheus-alertmanager; do (command -v systemctl >/dev/null && systemctl stop "$svc" 2>/dev/null) || true; done
  if command -v pg_lsclusters >/dev/null; then pg_lsclusters -h | awk '{print $1, $2}' | while read -r v c; do pg_ctlcluster "$v" "$c" stop || true; done; fi
fi
echo "system packages: ok"
