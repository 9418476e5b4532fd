# Sourced by start.sh, test.sh and .ci/run: puts Node 24 first on PATH (installing it into .tools
# when the system node is older), installs dependencies, and starts local PostgreSQL/Redis if down.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

node_major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

ensure_node() {
  if [ "$(node_major node)" -ge 24 ]; then return; fi
  local tool="$ROOT/.tools/node_modules/.bin/node"
  if [ ! -x "$tool" ] || [ "$(node_major "$tool")" -lt 24 ]; then
    echo "» system node is $(node --version 2>/dev/null || echo missing); installing Node 24 into .tools/" >&2
    npm install --prefix "$ROOT/.tools" --no-audit --no-fund --loglevel=error node@24 >&2
  fi
  # First on PATH before npm runs, so npm itself and any native addon build use Node 24.
  export PATH="$ROOT/.tools/node_modules/.bin:$PATH"
}

ensure_deps() {
  # Reinstall when node_modules is missing or older than the lockfile.
  if [ -n "${HUB_FORCE_NPM_CI:-}" ] || [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    echo "» installing dependencies (npm ci)" >&2
    npm ci --no-audit --no-fund --loglevel=error >&2
  fi
}

is_local() { case "$1" in *127.0.0.1*|*localhost*) return 0 ;; *) return 1 ;; esac; }

ensure_services() {
  if is_local "${DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/}" && ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
    echo "» starting PostgreSQL" >&2
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start >&2 || true
    for _ in $(seq 1 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
    pg_isready -h 127.0.0.1 -p 5432 -q || { echo "PostgreSQL did not start on 127.0.0.1:5432" >&2; exit 1; }
  fi
  if is_local "${REDIS_URL:-redis://127.0.0.1:6379}" && ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
    echo "» starting Redis" >&2
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >&2
    for _ in $(seq 1 30); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 0.5; done
    redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 || { echo "Redis did not start on 127.0.0.1:6379" >&2; exit 1; }
  fi
}

ensure_node
ensure_deps
ensure_services
