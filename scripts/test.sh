#!/usr/bin/env bash
# The whole test suite: type check and build (the CLI tests run the built binary), lint, then
# every test against real PostgreSQL clusters the harness starts and stops itself.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/check-system.sh
npm run --silent build
npm run --silent lint
npx vitest run "$@"
