#!/usr/bin/env bash
# `npm start`: everything a newcomer needs, in one process: migrations, demo mall, API, workers and
# the built-in sandbox suppliers. Sandbox mode is on unless HUB_SANDBOX says otherwise.
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
export HUB_SANDBOX="${HUB_SANDBOX:-true}"
exec node src/cli.ts start
