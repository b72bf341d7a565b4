#!/usr/bin/env bash
# Run a command (by default the test suite) with everything the suite needs:
# the system packages, and throwaway PostgreSQL and Redis servers on loopback.
#
#   .ci/with-services.sh make lint typecheck pytest     # what `make test` runs
#   PG_PORT=55446 REDIS_PORT=56446 .ci/with-services.sh env | grep MARKSIX_TEST
#
# Missing packages are installed with apt when running as root; otherwise one
# line names them and the command to get them, and the tests that need them skip.
# The servers are stopped when the command ends, whatever its outcome.
set -euo pipefail
cd "$(dirname "$0")/.."

missing_packages() {
  local need=()
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
  command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
  command -v chromium >/dev/null 2>&1 || need+=(chromium chromium-driver)
  # Read once into a variable: `fc-list | grep -q` under pipefail fails when grep stops early.
  local fonts
  fonts=$(fc-list 2>/dev/null || true)
  command -v fc-list >/dev/null 2>&1 || need+=(fontconfig)
  grep -qi 'Noto Sans CJK' <<<"$fonts" || need+=(fonts-noto-cjk)
  # Emoji in replies and captions render in the browser tests' screenshots.
  grep -qi 'Noto Color Emoji' <<<"$fonts" || need+=(fonts-noto-color-emoji)
  echo "${need[@]}"
}

install_packages() {
  local need
  read -r -a need <<<"$(missing_packages)"
  [ ${#need[@]} -eq 0 ] && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing ${need[*]} with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  else
    echo "make test: missing ${need[*]}; install with 'sudo apt-get install ${need[*]}' (Debian/Ubuntu), or those tests skip" >&2
  fi
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

port_taken() {
  python3 -c 'import socket, sys; s = socket.socket(); sys.exit(s.connect_ex(("127.0.0.1", int(sys.argv[1]))) != 0)' "$1"
}

install_packages

# Someone else's servers on the default ports (another checkout's suite) must not be reused.
PG_PORT="${PG_PORT:-55432}"
REDIS_PORT="${REDIS_PORT:-56379}"
port_taken "$PG_PORT" && PG_PORT=$(free_port)
port_taken "$REDIS_PORT" && REDIS_PORT=$(free_port)
export PG_PORT REDIS_PORT
SERVICES_DIR=$(mktemp -d /tmp/marksix-services.XXXXXX)
export SERVICES_DIR

# shellcheck source=services.sh
source .ci/services.sh
cleanup() {
  stop_services
  rm -rf "$SERVICES_DIR"
}
trap cleanup EXIT
if [ -z "${MARKSIX_TEST_POSTGRES_URL:-}" ] && ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  start_postgres || echo "make test: PostgreSQL did not start; see $SERVICES_DIR/pg/log" >&2
fi
if [ -z "${MARKSIX_TEST_REDIS_URL:-}" ] && command -v redis-server >/dev/null 2>&1; then
  start_redis || echo "make test: Redis did not start; see $SERVICES_DIR/redis.log" >&2
fi

if [ $# -eq 0 ]; then
  set -- make lint typecheck pytest
fi
"$@"
