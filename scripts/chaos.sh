#!/usr/bin/env bash
# `npm run chaos [-- --quick]`: the hub as separate processes under injected faults, then its
# invariants (README "Chaos run"); same set-up as npm test. Exits non-zero when an invariant fails.
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
exec node test/chaos/run.ts "$@"
