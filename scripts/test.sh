#!/usr/bin/env bash
# `npm test`: the whole suite against the real PostgreSQL and Redis (each test file gets its own
# database and Redis key prefix). Extra arguments go to vitest, e.g. `npm test -- test/http`.
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
report=.vitest-report.json
rm -f "$report"
set +e
node node_modules/vitest/vitest.mjs run --reporter=default --reporter=json --outputFile.json="$report" "$@"
code=$?
set -e
# One plain closing line ("N passed, N failed") that any CI can read.
if [ -f "$report" ]; then
  node -e 'const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")); const s = r.numPendingTests + r.numTodoTests; console.log(`Tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed` + (s ? `, ${s} skipped` : ""))' "$report"
fi
exit $code
