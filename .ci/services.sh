# Start throwaway PostgreSQL and Redis servers on loopback for the test suite.
# Sourced by .ci/with-services.sh (what `make test` runs); usable by hand too: `source .ci/services.sh; start_postgres`.
SERVICES_DIR="${SERVICES_DIR:-$(mktemp -d /tmp/marksix-services.XXXXXX)}"
PG_PORT="${PG_PORT:-55432}"
REDIS_PORT="${REDIS_PORT:-56379}"

start_postgres() {
  local bin
  bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  mkdir -p "$SERVICES_DIR/pg"
  # mktemp -d makes a 0700 folder; the postgres user must be able to enter it.
  chmod 0711 "$SERVICES_DIR"
  chown -R postgres:postgres "$SERVICES_DIR/pg" 2>/dev/null || true
  local as_pg=(runuser -u postgres --)
  [ "$(id -u)" = 0 ] || as_pg=()
  "${as_pg[@]}" "$bin/initdb" -D "$SERVICES_DIR/pg/data" -U marksix --auth=trust >/dev/null || return 1
  "${as_pg[@]}" "$bin/pg_ctl" -D "$SERVICES_DIR/pg/data" -l "$SERVICES_DIR/pg/log" \
    -o "-p $PG_PORT -k $SERVICES_DIR/pg -c listen_addresses=127.0.0.1 -c fsync=off" -w start >/dev/null || return 1
  "${as_pg[@]}" "$bin/createdb" -h 127.0.0.1 -p "$PG_PORT" -U marksix marksix_test || return 1
  export MARKSIX_TEST_POSTGRES_URL="postgresql+psycopg://marksix@127.0.0.1:$PG_PORT/marksix_test"
  PG_BIN="$bin"
  echo "PostgreSQL on 127.0.0.1:$PG_PORT"
}

start_redis() {
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
    --dir "$SERVICES_DIR" --logfile "$SERVICES_DIR/redis.log" --pidfile "$SERVICES_DIR/redis.pid"
  for _ in $(seq 50); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
  export MARKSIX_TEST_REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0"
  echo "Redis on 127.0.0.1:$REDIS_PORT"
}

stop_services() {
  if [ -n "${PG_BIN:-}" ]; then
    runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$SERVICES_DIR/pg/data" -m fast stop >/dev/null 2>&1 \
      || "$PG_BIN/pg_ctl" -D "$SERVICES_DIR/pg/data" -m fast stop >/dev/null 2>&1 || true
  fi
  [ -f "$SERVICES_DIR/redis.pid" ] && kill "$(cat "$SERVICES_DIR/redis.pid")" 2>/dev/null || true
}

# For bench/soak.py, which restarts the servers mid-run (the data folder and port stay).
restart_postgres() {
  local bin
  bin="${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)}"
  local as_pg=(runuser -u postgres --)
  [ "$(id -u)" = 0 ] || as_pg=()
  "${as_pg[@]}" "$bin/pg_ctl" -D "$SERVICES_DIR/pg/data" -l "$SERVICES_DIR/pg/log" -m fast -w restart \
    -o "-p $PG_PORT -k $SERVICES_DIR/pg -c listen_addresses=127.0.0.1 -c fsync=off" >/dev/null
}

restart_redis() {
  redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
  for _ in $(seq 50); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 || break; sleep 0.1; done
  start_redis >/dev/null
}
