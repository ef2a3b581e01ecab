#!/bin/sh
# Installs what Herald needs on a fresh Debian machine with Node 20: npm dependencies
# (when missing or stale) and redis-server (through apt when absent). Idempotent and quiet
# when everything is already there. Used by `npm start` and (with --test) `npm test`.
set -eu
cd "$(dirname "$0")/.."

major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$major" -lt 20 ]; then
  echo "Herald needs Node.js 20 or newer (found $(node --version))." >&2
  exit 1
fi

# Reinstall only when package-lock.json's content changed since the last install (a stamp
# of its hash), not on timestamps: `npm install <pkg>` rewrites both files in either order.
lock_hash=$(node -e 'process.stdout.write(require("crypto").createHash("sha256").update(require("fs").readFileSync("package-lock.json")).digest("hex"))')
if [ ! -f node_modules/.package-lock.json ] || [ "$(cat node_modules/.herald-lock-hash 2>/dev/null)" != "$lock_hash" ]; then
  if [ -f node_modules/.package-lock.json ] && node -e '
    const a = require("./package-lock.json").packages, b = require("./node_modules/.package-lock.json").packages;
    const same = Object.keys(a).filter((k) => k).every((k) => !a[k].version || (b[k] && b[k].version === a[k].version));
    process.exit(same ? 0 : 1)'; then
    :  # node_modules already matches the lock file
  else
    echo "bootstrap: installing npm dependencies (npm ci)..." >&2
    npm ci --no-audit --no-fund --loglevel=error >&2
  fi
  printf '%s' "$lock_hash" > node_modules/.herald-lock-hash
fi

# System packages, installed through apt only when missing, with one `apt-get update`.
# `--test` adds what the test suite needs besides Redis: promtool (Debian package
# prometheus) for the /metrics check and chromium for the dashboard's browser test.
missing=""
command -v redis-server >/dev/null 2>&1 || missing="redis-server"
if [ "${1:-}" = "--test" ]; then
  command -v promtool >/dev/null 2>&1 || missing="$missing prometheus"
  [ -x /usr/bin/chromium ] || missing="$missing chromium"
fi
missing=$(echo "$missing" | xargs)

if [ -n "$missing" ]; then
  if command -v apt-get >/dev/null 2>&1; then
    SUDO=""
    if [ "$(id -u)" -ne 0 ]; then
      if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
        echo "bootstrap: missing $missing and this user cannot run apt-get. Install it: apt-get install -y $missing" >&2
        exit 1
      fi
    fi
    echo "bootstrap: installing $missing with apt-get..." >&2
    $SUDO apt-get update -qq >&2
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >&2
    # Herald runs its own redis-server child and only needs promtool from prometheus:
    # the distribution's services are not needed.
    $SUDO systemctl disable --now redis-server prometheus >/dev/null 2>&1 || true
  else
    echo "bootstrap: missing $missing and apt-get is not available; install it with your package manager." >&2
    echo "(Redis: Redis 7, or set REDIS_URL to an existing Redis with maxmemory-policy noeviction.)" >&2
    exit 1
  fi
fi
