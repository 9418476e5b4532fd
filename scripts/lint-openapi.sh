#!/usr/bin/env bash
# `npm run lint:openapi` (part of `npm run lint`): Redocly's recommended rules, with redocly.yaml,
# on the document GET /openapi.json serves. The document is made in-process by
# scripts/openapi-json.ts: nothing is started, and neither PostgreSQL nor Redis needs to be up.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
node scripts/openapi-json.ts "$dir/openapi.json"
# No usage data sent, no update check: lint runs offline.
REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_NOTIFICATIONS=true REDOCLY_SUPPRESS_UPDATE_NOTICE=true \
  node_modules/.bin/redocly lint "$dir/openapi.json" --config redocly.yaml
