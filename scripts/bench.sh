#!/usr/bin/env bash
# `npm run bench`: benchmarks (not part of CI); same set-up as npm start. `npm run bench -- catalog-paging`.
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
exec node bench/run.ts "$@"
