#!/usr/bin/env bash
# `npm test`: lint, typecheck, unit, integration (real Postgres, and real nftables when root),
# and browser tests against a production build.
set -euo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1
step() { printf '\n==> %s\n' "$*"; }
step "lint";        npm run --silent lint
step "typecheck";   npm run --silent typecheck
step "unit tests";  npx vitest run --project unit
step "integration"; npx vitest run --project int
step "browser (e2e)"; npm run --silent test:e2e
