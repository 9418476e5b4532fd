#!/usr/bin/env bash
# `npm test`: the whole suite against the real PostgreSQL and Redis (each test file gets its own
# database and Redis key prefix). Extra arguments go to vitest, e.g. `npm test -- test/http`.
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
exec node node_modules/vitest/vitest.mjs run "$@"
