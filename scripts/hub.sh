#!/usr/bin/env bash
# `npm run hub -- <role>` (api | worker | sandbox | migrate | start) with the same set-up as npm start.
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
exec node src/cli.ts "$@"
