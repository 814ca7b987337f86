#!/usr/bin/env bash
# Local service stack for ckanext-dinamis_relay, without Docker:
#   PostgreSQL 15 (private cluster), Redis, and a real Solr 9.8.1 with CKAN's schema,
# each on its own loopback port with pid files under $STACK_DIR.
#
# usage: scripts/stack.sh deps|up|down|status|env|clean
#   (deps: install missing Debian packages; clean: stop, then delete the cluster and $STACK_DIR)
#
# Environment (defaults):
#   STACK_DIR=<repo>/.stack  VENV=<repo>/.venv (for CKAN's schema.xml)
#   PG_PORT=54329  REDIS_PORT=63799  SOLR_PORT=8984
#   SOLR_HEAP=512m  SOLR_TIMEOUT=180 (seconds to wait for Solr's ping)
#   PYTEST_WORKERS=2: a test database ckan_test_gwN and a Solr core ckan_gwN for each of that
#     many pytest-xdist workers gw0, gw1... (ckanext/dinamis_relay/tests/workers.py)
#   PG_DATA_DIR: PostgreSQL's cluster and log. Default: $STACK_DIR/pg; run as root (the server
#     then runs as user postgres, who may not reach a clone in a 0700 home directory)
#     ~postgres/dinamis_relay/<STACK_DIR with / as _>/ (`status` prints it)
# After `up`, `source $STACK_DIR/env.sh` sets CKAN_SQLALCHEMY_URL, CKAN_SOLR_URL, CKAN_REDIS_URL.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SCRIPTS="$REPO/scripts"
STACK_DIR=${STACK_DIR:-$REPO/.stack}
VENV=${VENV:-$REPO/.venv}
PG_PORT=${PG_PORT:-54329}
REDIS_PORT=${REDIS_PORT:-63799}
SOLR_PORT=${SOLR_PORT:-8984}
SOLR_HEAP=${SOLR_HEAP:-512m}
SOLR_TIMEOUT=${SOLR_TIMEOUT:-180}
PG_TIMEOUT=${PG_TIMEOUT:-60}
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
PYTEST_WORKERS=${PYTEST_WORKERS:-2}
HOST=127.0.0.1

# Debian packages the project needs on a machine (CKAN's psycopg2 build, WeasyPrint's pango
# and the fonts pdf/document.css names — without Liberation a PDF falls back to DejaVu
# and renders about 15 % slower —, the browser for UI checks, and the three services plus a
# JDK for compiling SolrRunner).
PACKAGES=(postgresql redis-server openjdk-17-jre-headless
          openjdk-17-jdk-headless maven curl gcc libpq-dev libpango-1.0-0 libpangoft2-1.0-0
          fonts-liberation fonts-dejavu-core chromium poppler-utils npm)

log() { printf '[stack] %s\n' "$*"; }
warn() { printf '[stack] WARNING: %s\n' "$*" >&2; }
die() { printf '[stack] ERROR: %s\n' "$*" >&2; exit 1; }
is_root() { [[ $(id -u) -eq 0 ]]; }
now() { printf '%s' "$EPOCHREALTIME"; }
# workers: the pytest-xdist worker ids (gw0 gw1 ...) the stack has a database and core for.
workers() { local i; for ((i = 0; i < PYTEST_WORKERS; i++)); do printf 'gw%s\n' "$i"; done; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1fs", b - a }'; }

# ---------------------------------------------------------------- paths

init_paths() {
  mkdir -p "$STACK_DIR"
  STACK_DIR=$(cd "$STACK_DIR" && pwd) # absolute: postgres and java run from other directories
  RUN="$STACK_DIR/run"
  LOGS="$STACK_DIR/log"
  PG_DIR="" # set by pg_paths: the postgres user exists only after `deps`
  SOLR_DIR="$STACK_DIR/solr"
  SOLR_HOME="$SOLR_DIR/home"
  mkdir -p "$RUN" "$LOGS"
}

# ---------------------------------------------------------------- process helpers

# pid_alive PIDFILE NAME: the pid file names a live process whose command line mentions NAME.
# Checking the name too means a pid reused by another program after a crash counts as stale.
pid_alive() {
  local file=$1 name=$2 pid
  [[ -s $file ]] || return 1
  pid=$(head -n1 "$file" | tr -dc '0-9')
  [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || return 1
  local cmdline
  cmdline=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || return 1
  [[ $cmdline == *"$name"* ]]
}

pid_of() { head -n1 "$1" | tr -dc '0-9'; }

# clean_stale PIDFILE NAME: remove a pid file whose process is gone.
clean_stale() {
  local file=$1 name=$2
  if [[ -e $file ]] && ! pid_alive "$file" "$name"; then
    log "removing stale pid file $file (pid $(pid_of "$file" || true) is not $name)"
    rm -f "$file"
  fi
}

# port_busy PORT: something accepts connections on 127.0.0.1:PORT.
port_busy() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }

# port_owner PORT: best-effort description of the listener, for error messages.
port_owner() {
  local out=""
  if command -v ss >/dev/null; then
    out=$(ss -ltnpH "sport = :$1" 2>/dev/null | sed -n 's/.*users:((\(.*\)))/\1/p' | head -n1) || true
  fi
  printf '%s' "${out:-unknown process}"
}

# ensure_port_free PORT VAR SERVICE: clear error naming the port and the variable to change.
ensure_port_free() {
  local port=$1 var=$2 service=$3
  if port_busy "$port"; then
    die "port $port on $HOST (for $service) is already taken by another process" \
      "($(port_owner "$port")). Stop it, or choose another port: $var=<port> $0 up"
  fi
}

# stop_pid PIDFILE NAME SIGNAL TIMEOUT: signal the process and wait for it to exit.
stop_pid() {
  local file=$1 name=$2 sig=$3 timeout=$4 pid i
  if ! pid_alive "$file" "$name"; then
    rm -f "$file"
    return 1
  fi
  pid=$(pid_of "$file")
  kill "-$sig" "$pid" 2>/dev/null || true
  for ((i = 0; i < timeout * 10; i++)); do
    kill -0 "$pid" 2>/dev/null || { rm -f "$file"; return 0; }
    sleep 0.1
  done
  warn "$name (pid $pid) did not stop within ${timeout}s; sending SIGKILL"
  kill -KILL "$pid" 2>/dev/null || true
  sleep 0.5
  rm -f "$file"
}

# ---------------------------------------------------------------- requirements

missing_packages() {
  local p status
  for p in "${PACKAGES[@]}"; do
    # A Node.js installed outside Debian (nodesource, nvm) brings its own npm, which
    # conflicts with Debian's: any npm on the PATH will do.
    [[ $p == npm ]] && command -v npm >/dev/null && continue
    status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    [[ $status == "install ok installed" ]] || printf '%s\n' "$p"
  done
}

ensure_packages() {
  local missing
  if ! command -v dpkg-query >/dev/null; then
    warn "not a Debian system: make sure these are installed: ${PACKAGES[*]}"
    return 0
  fi
  mapfile -t missing < <(missing_packages)
  ((${#missing[@]})) || return 0
  if ! is_root; then
    die "missing Debian packages: ${missing[*]}
  install them as root with:
    apt-get update && apt-get install -y ${missing[*]}"
  fi
  log "installing missing Debian packages: ${missing[*]}"
  # Wait for another apt/dpkg run instead of failing on its lock.
  local apt=(apt-get -q -o DPkg::Lock::Timeout=600)
  DEBIAN_FRONTEND=noninteractive "${apt[@]}" update
  DEBIAN_FRONTEND=noninteractive "${apt[@]}" install -y "${missing[@]}"
}

check_tools() {
  local t
  for t in "$PG_BIN/initdb" "$PG_BIN/pg_ctl" "$PG_BIN/postgres" "$PG_BIN/psql"; do
    [[ -x $t ]] || die "$t not found (Debian package postgresql-15; set PG_BIN if elsewhere)"
  done
  for t in redis-server redis-cli java javac mvn curl; do
    command -v "$t" >/dev/null || die "'$t' not found on PATH"
  done
}

# ---------------------------------------------------------------- PostgreSQL

PG_PIDFILE() { printf '%s' "$RUN/postgres.pid"; }

# as_pg CMD...: postgres refuses to run as root, so the cluster belongs to user postgres then.
as_pg() {
  if is_root; then
    # From /: postgres cannot enter the caller's directory when it is under /root.
    (cd / && runuser -u postgres -- "$@")
  else
    "$@"
  fi
}

psql_admin() {
  "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$HOST" -p "$PG_PORT" -U postgres -d postgres "$@"
}

pg_running() { pid_alive "$(PG_PIDFILE)" postgres; }

# pg_paths: where the cluster (PGDATA) and its log (PG_LOG) live. Run as root, the server runs
# as user postgres, who must traverse every parent folder: a clone under /root (mode 0700)
# is not traversable, so the cluster goes under postgres's own home, one folder per stack.
pg_paths() {
  [[ -n $PG_DIR ]] && return 0
  if [[ -n ${PG_DATA_DIR:-} ]]; then
    PG_DIR=$PG_DATA_DIR
  elif is_root; then
    local home
    home=$(getent passwd postgres | cut -d: -f6) || true
    PG_DIR="${home:-/var/lib/postgresql}/dinamis_relay/${STACK_DIR//\//_}"
  else
    PG_DIR="$STACK_DIR/pg"
  fi
  PGDATA="$PG_DIR/data"
  PG_LOG="$PG_DIR/postgres.log"
}

pg_init() {
  [[ -s $PGDATA/PG_VERSION ]] && return 0
  log "postgres: creating cluster in $PGDATA"
  mkdir -p "$PGDATA"
  if is_root; then
    chown postgres:postgres "$PG_DIR" "$PGDATA"
    runuser -u postgres -- test -w "$PGDATA" ||
      die "user postgres cannot write $PGDATA (a parent directory is not traversable);" \
        "set PG_DATA_DIR to a directory postgres can reach"
  fi
  chmod 700 "$PGDATA"
  as_pg "$PG_BIN/initdb" -D "$PGDATA" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 \
    --no-sync >"$LOGS/initdb.log" 2>&1 ||
    { tail -n 20 "$LOGS/initdb.log" >&2; die "initdb failed (log: $LOGS/initdb.log)"; }
  # Test/demo cluster: durability off for speed; TCP on loopback only, no unix socket
  # (avoids clashing with a system cluster and socket path length limits).
  cat >>"$PGDATA/postgresql.conf" <<EOF

# --- scripts/stack.sh ---
listen_addresses = '$HOST'
unix_socket_directories = ''
fsync = off
full_page_writes = off
synchronous_commit = off
max_connections = 100
EOF
  cat >"$PGDATA/pg_hba.conf" <<EOF
# scripts/stack.sh: private test cluster, loopback only, trust
host all all $HOST/32 trust
EOF
}

pg_start() {
  local t0 i
  t0=$(now)
  pg_paths
  clean_stale "$(PG_PIDFILE)" postgres
  if pg_running; then
    log "postgres: already running (pid $(pid_of "$(PG_PIDFILE)"), port $PG_PORT)"
  else
    # A postmaster.pid left by a crash whose pid now belongs to something else blocks startup.
    if [[ -e $PGDATA/postmaster.pid ]] && ! pid_alive "$PGDATA/postmaster.pid" postgres; then
      log "postgres: removing stale $PGDATA/postmaster.pid"
      rm -f "$PGDATA/postmaster.pid"
    fi
    ensure_port_free "$PG_PORT" PG_PORT PostgreSQL
    pg_init
    local logfile=$PG_LOG
    touch "$logfile"
    is_root && chown postgres:postgres "$logfile"
    ln -sfn "$logfile" "$LOGS/postgres.log" # the stack's logs stay in one folder
    # setsid: the server must outlive this shell's process group (job control, Ctrl-C).
    if ! as_pg setsid "$PG_BIN/pg_ctl" -D "$PGDATA" -l "$logfile" -w -t "$PG_TIMEOUT" \
      -o "-p $PG_PORT" start >/dev/null; then
      tail -n 20 "$logfile" >&2
      die "postgres failed to start on port $PG_PORT (log: $logfile)"
    fi
    head -n1 "$PGDATA/postmaster.pid" >"$(PG_PIDFILE)"
  fi
  for ((i = 0; i < PG_TIMEOUT * 10; i++)); do
    "$PG_BIN/pg_isready" -q -h "$HOST" -p "$PG_PORT" && break
    sleep 0.1
  done
  "$PG_BIN/pg_isready" -q -h "$HOST" -p "$PG_PORT" ||
    die "postgres on port $PG_PORT is not accepting connections (log: $PG_LOG)"
  pg_bootstrap
  log "postgres: ready on $HOST:$PG_PORT in $(elapsed "$t0")"
}

# Role and databases CKAN uses; safe to repeat.
pg_bootstrap() {
  local db
  if [[ -z $(psql_admin -tAc "SELECT 1 FROM pg_roles WHERE rolname = 'ckan'") ]]; then
    psql_admin -c "CREATE ROLE ckan LOGIN SUPERUSER PASSWORD 'ckan'"
  fi
  for db in ckan_test ckan_demo $(workers | sed 's/^/ckan_test_/'); do
    if [[ -z $(psql_admin -tAc "SELECT 1 FROM pg_database WHERE datname = '$db'") ]]; then
      psql_admin -c "CREATE DATABASE $db OWNER ckan ENCODING 'UTF8' TEMPLATE template0"
    fi
  done
}

pg_stop() {
  pg_paths
  if ! pg_running; then
    rm -f "$(PG_PIDFILE)"
    log "postgres: not running"
    return 0
  fi
  if [[ -x $PG_BIN/pg_ctl && -d $PGDATA ]] && as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" -m fast -w -t 30 stop >/dev/null; then
    rm -f "$(PG_PIDFILE)"
  else
    stop_pid "$(PG_PIDFILE)" postgres INT 30 || true # SIGINT = fast shutdown
  fi
  log "postgres: stopped"
}

pg_status() {
  pg_paths
  log "postgres: cluster in $PGDATA"
  if pg_running; then
    if "$PG_BIN/pg_isready" -q -h "$HOST" -p "$PG_PORT" 2>/dev/null; then
      log "postgres: running (pid $(pid_of "$(PG_PIDFILE)")), ready on $HOST:$PG_PORT"
    else
      log "postgres: running (pid $(pid_of "$(PG_PIDFILE)")) but not accepting connections on $HOST:$PG_PORT"
      return 1
    fi
  else
    log "postgres: stopped"
    return 1
  fi
}

# ---------------------------------------------------------------- Redis

REDIS_PIDFILE() { printf '%s' "$RUN/redis.pid"; }
redis_running() { pid_alive "$(REDIS_PIDFILE)" redis-server; }
redis_ping() { [[ $(redis-cli -h "$HOST" -p "$REDIS_PORT" ping 2>/dev/null) == PONG ]]; }

redis_start() {
  local t0 i
  t0=$(now)
  clean_stale "$(REDIS_PIDFILE)" redis-server
  if redis_running; then
    log "redis: already running (pid $(pid_of "$(REDIS_PIDFILE)"), port $REDIS_PORT)"
  else
    ensure_port_free "$REDIS_PORT" REDIS_PORT Redis
    mkdir -p "$STACK_DIR/redis"
    # No persistence: queues and caches are throwaway in tests and the demo.
    redis-server --port "$REDIS_PORT" --bind "$HOST" --save '' --appendonly no \
      --daemonize yes --pidfile "$(REDIS_PIDFILE)" --logfile "$LOGS/redis.log" \
      --dir "$STACK_DIR/redis" ||
      die "redis-server failed to start (log: $LOGS/redis.log)"
  fi
  for ((i = 0; i < 100; i++)); do
    redis_ping && break
    sleep 0.1
  done
  redis_ping || { tail -n 20 "$LOGS/redis.log" >&2; die "redis on port $REDIS_PORT does not answer PING"; }
  # --daemonize writes the pid file asynchronously; wait for it so status/down can find it.
  for ((i = 0; i < 50; i++)); do
    [[ -s $(REDIS_PIDFILE) ]] && break
    sleep 0.1
  done
  log "redis: ready on $HOST:$REDIS_PORT in $(elapsed "$t0")"
}

redis_stop() {
  if stop_pid "$(REDIS_PIDFILE)" redis-server TERM 20; then
    log "redis: stopped"
  else
    log "redis: not running"
  fi
}

redis_status() {
  if redis_running && redis_ping; then
    log "redis: running (pid $(pid_of "$(REDIS_PIDFILE)")), ready on $HOST:$REDIS_PORT"
  elif redis_running; then
    log "redis: running (pid $(pid_of "$(REDIS_PIDFILE)")) but not answering on $HOST:$REDIS_PORT"
    return 1
  else
    log "redis: stopped"
    return 1
  fi
}

# ---------------------------------------------------------------- Solr

SOLR_PIDFILE() { printf '%s' "$RUN/solr.pid"; }
SOLR_CORE_URL() { printf 'http://%s:%s/solr/ckan' "$HOST" "$SOLR_PORT"; }
solr_running() { pid_alive "$(SOLR_PIDFILE)" SolrRunner; }
solr_ping() {
  local body
  body=$(curl -fsS --max-time 5 "$(SOLR_CORE_URL)/admin/ping?wt=json" 2>/dev/null) || return 1
  [[ $body == *'"status":"OK"'* ]]
}

# Class path of solr-test-framework and its dependencies, cached per pom checksum so Maven
# runs (and downloads ~90 MB into ~/.m2) only when the pom changes or a jar disappeared.
solr_classpath() {
  local pom="$SCRIPTS/solr/pom.xml" sum cpfile jar
  sum=$(sha256sum "$pom" | cut -c1-16)
  cpfile="$SOLR_DIR/classpath-$sum.txt"
  if [[ -s $cpfile ]]; then
    local ok=1
    while IFS= read -r -d: jar || [[ -n $jar ]]; do
      [[ -e $jar ]] || { ok=0; break; }
    done <"$cpfile"
    if ((ok)); then
      printf '%s' "$cpfile"
      return 0
    fi
    log "solr: cached class path refers to missing jars; resolving again" >&2
  fi
  log "solr: resolving Solr's class path with Maven (first run downloads ~90 MB)" >&2
  rm -f "$SOLR_DIR"/classpath-*.txt
  if ! mvn -B -q -f "$pom" dependency:build-classpath -Dmdep.outputFile="$cpfile.tmp" \
    >"$LOGS/mvn.log" 2>&1; then
    tail -n 30 "$LOGS/mvn.log" >&2
    die "mvn dependency:build-classpath failed (log: $LOGS/mvn.log)"
  fi
  mv "$cpfile.tmp" "$cpfile"
  printf '%s' "$cpfile"
}

# Compile SolrRunner.java when it or the class path changed.
solr_compile() {
  local cpfile=$1 key
  key=$(cat "$SCRIPTS/solr/SolrRunner.java" "$cpfile" | sha256sum | cut -c1-16)
  if [[ -f $SOLR_DIR/classes/SolrRunner.class && $(cat "$SOLR_DIR/classes/.key" 2>/dev/null) == "$key" ]]; then
    return 0
  fi
  log "solr: compiling SolrRunner.java"
  rm -rf "$SOLR_DIR/classes"
  mkdir -p "$SOLR_DIR/classes"
  javac -nowarn -cp "$(cat "$cpfile")" -d "$SOLR_DIR/classes" "$SCRIPTS/solr/SolrRunner.java" \
    >"$LOGS/javac.log" 2>&1 ||
    { cat "$LOGS/javac.log" >&2; die "javac failed for scripts/solr/SolrRunner.java"; }
  printf '%s\n' "$key" >"$SOLR_DIR/classes/.key"
}

ckan_schema() {
  local dir
  [[ -x $VENV/bin/python ]] || return 1
  dir=$("$VENV/bin/python" -c 'import ckan,os;print(os.path.dirname(ckan.__file__))' 2>/dev/null) ||
    return 1
  [[ -f $dir/config/solr/schema.xml ]] && printf '%s' "$dir/config/solr/schema.xml"
}

# Solr home: solr.xml + core "ckan" with CKAN's schema and our solrconfig.xml. Config is
# refreshed on every start so a CKAN upgrade's schema is picked up; the index data stays.
solr_home() {
  local conf="$SOLR_HOME/ckan/conf" schema f
  mkdir -p "$conf"
  cp "$SCRIPTS/solr/solr.xml" "$SOLR_HOME/solr.xml"
  printf 'name=ckan\n' >"$SOLR_HOME/ckan/core.properties"
  cp "$SCRIPTS/solr/solrconfig.xml" "$conf/solrconfig.xml"
  if schema=$(ckan_schema); then
    cp "$schema" "$conf/schema.xml"
  elif [[ -f $conf/schema.xml ]]; then
    warn "CKAN not importable from VENV=$VENV; reusing $conf/schema.xml from an earlier run"
  else
    die "cannot find CKAN's Solr schema: '$VENV/bin/python -c \"import ckan\"' failed." \
      "Create the venv (or set VENV=/path/to/venv with CKAN installed) and retry"
  fi
  # ckanext-spatial's bbox fields (see spatial-fields.xml), before the catch-all dynamic field.
  if ! grep -q 'name="maxx"' "$conf/schema.xml"; then
    awk -v f="$SCRIPTS/solr/spatial-fields.xml" \
      '/<\/fields>/ { while ((getline l < f) > 0) print l } { print }' \
      "$conf/schema.xml" >"$conf/schema.xml.tmp" && mv "$conf/schema.xml.tmp" "$conf/schema.xml"
  fi
  # Word lists the schema's analyzers name (protwords.txt, synonyms.txt, ...): empty is fine.
  for f in stopwords.txt protwords.txt synonyms.txt \
    $(grep -oE '(words|protected|synonyms|dictionary)="[^"]+"' "$conf/schema.xml" | cut -d'"' -f2 | tr ',' ' '); do
    [[ -e $conf/$f ]] || : >"$conf/$f"
  done
  # The test workers' cores, found at startup like core ckan (their index data stays too).
  local worker
  for worker in $(workers); do
    solr_core_conf "ckan_$worker"
    printf 'name=ckan_%s\n' "$worker" >"$SOLR_HOME/ckan_$worker/core.properties"
  done
}

# solr_core_conf NAME: core NAME's folder in the Solr home, with core ckan's configuration.
solr_core_conf() {
  mkdir -p "$SOLR_HOME/$1"
  rm -rf "$SOLR_HOME/$1/conf"
  cp -r "$SOLR_HOME/ckan/conf" "$SOLR_HOME/$1/conf"
}

# solr_cores_status: Solr's CoreAdmin STATUS (every core, no index figures) as JSON.
solr_cores_status() {
  curl -fsS --max-time 5 \
    "http://$HOST:$SOLR_PORT/solr/admin/cores?action=STATUS&wt=json&indent=false&indexInfo=false" \
    2>/dev/null
}

# solr_worker_cores: every test worker's core answers; a Solr started by an earlier `up` with
# fewer PYTEST_WORKERS is given the missing ones through CoreAdmin CREATE.
solr_worker_cores() {
  local worker core status deadline=$((SECONDS + SOLR_TIMEOUT))
  for worker in $(workers); do
    core="ckan_$worker"
    status=$(solr_cores_status) || solr_fail "Solr's CoreAdmin does not answer (port $SOLR_PORT)"
    if [[ $status != *"\"name\":\"$core\""* && $status != *"\"$core\":\""* ]]; then
      log "solr: creating core $core"
      solr_core_conf "$core"
      curl -fsS --max-time 120 -o /dev/null \
        "http://$HOST:$SOLR_PORT/solr/admin/cores?action=CREATE&name=$core&instanceDir=$core" ||
        solr_fail "Solr could not create core $core"
    fi
    until curl -fsS --max-time 5 "http://$HOST:$SOLR_PORT/solr/$core/admin/ping?wt=json" 2>/dev/null |
      grep -q '"status":"OK"'; do
      if [[ $(solr_cores_status) =~ \"initFailures\":\{[^}]*\"$core\":\"([^\"]*) ]]; then
        solr_fail "Solr core '$core' failed to load: ${BASH_REMATCH[1]}"
      fi
      ((SECONDS < deadline)) || solr_fail "Solr core $core did not answer its ping within ${SOLR_TIMEOUT}s"
      sleep 0.2
    done
  done
}

solr_start() {
  local t0 cpfile pid i
  t0=$(now)
  mkdir -p "$SOLR_DIR"
  clean_stale "$(SOLR_PIDFILE)" SolrRunner
  if solr_running; then
    log "solr: already running (pid $(pid_of "$(SOLR_PIDFILE)"), port $SOLR_PORT)"
  else
    ensure_port_free "$SOLR_PORT" SOLR_PORT Solr
    cpfile=$(solr_classpath)
    solr_compile "$cpfile"
    solr_home
    local logfile="$LOGS/solr.log"
    : >"$logfile"
    # Working directory = Solr home (JettySolrRunner serves it as its base resource).
    # setsid: Solr must outlive this shell's process group.
    (
      cd "$SOLR_HOME"
      exec setsid java -Xms128m "-Xmx$SOLR_HEAP" -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
        -Djava.awt.headless=true -Dfile.encoding=UTF-8 \
        -Dlog4j2.configurationFile="file:$SCRIPTS/solr/log4j2.xml" \
        -Dsolr.log.dir="$LOGS" -Dsolr.solr.home="$SOLR_HOME" \
        -cp "$SOLR_DIR/classes:$(cat "$cpfile")" \
        SolrRunner "$SOLR_HOME" "$SOLR_PORT" "$(SOLR_PIDFILE)"
    ) </dev/null >"$logfile" 2>&1 &
    printf '%s\n' "$!" >"$(SOLR_PIDFILE)"
  fi
  pid=$(pid_of "$(SOLR_PIDFILE)")
  local deadline=$((SECONDS + SOLR_TIMEOUT)) failure
  until solr_ping; do
    if ! kill -0 "$pid" 2>/dev/null; then
      rm -f "$(SOLR_PIDFILE)"
      solr_fail "solr exited during startup (port $SOLR_PORT)"
    fi
    # A core that failed to load never answers ping: report it now, not after the timeout.
    if failure=$(solr_init_failure); then
      solr_stop >/dev/null
      solr_fail "Solr started but core 'ckan' failed to load: $failure"
    fi
    if ((SECONDS >= deadline)); then
      solr_stop >/dev/null
      solr_fail "solr (pid $pid) did not answer $(SOLR_CORE_URL)/admin/ping within ${SOLR_TIMEOUT}s" \
        "(stopped it; raise SOLR_TIMEOUT if the machine is slow)"
    fi
    sleep 0.2
  done
  solr_worker_cores
  log "solr: ready at $(SOLR_CORE_URL) (and cores $(workers | sed 's/^/ckan_/' | paste -sd' ')) in $(elapsed "$t0")"
}

# solr_init_failure: prints core ckan's load error, if Solr reports one.
solr_init_failure() {
  local body
  body=$(curl -fsS --max-time 5 \
    "http://$HOST:$SOLR_PORT/solr/admin/cores?action=STATUS&wt=json&indent=false&indexInfo=false" 2>/dev/null) ||
    return 1
  [[ $body =~ \"initFailures\":\{\"ckan\":\"([^\"]*) ]] || return 1
  printf '%s\n' "${BASH_REMATCH[1]}"
}

# solr_fail MESSAGE...: the log's error lines and its tail, then exit.
solr_fail() {
  local logfile="$LOGS/solr.log"
  {
    printf -- '--- errors in %s ---\n' "$logfile"
    grep -E '^[0-9:.]+ (ERROR|FATAL)|^Caused by:' "$logfile" | sed 's/^[0-9:.]* //' |
      awk '!seen[$0]++' | cut -c1-400 | tail -n 6 || true
    printf -- '--- last lines of %s (stack frames omitted) ---\n' "$logfile"
    grep -v '^[[:space:]]*at \|^[[:space:]]*\.\.\. [0-9]* more' "$logfile" | cut -c1-400 | tail -n 8 || true
  } >&2
  die "$@"
}

solr_stop() {
  # SIGTERM lets Jetty close the index cleanly (stopAtShutdown).
  if stop_pid "$(SOLR_PIDFILE)" SolrRunner TERM 30; then
    log "solr: stopped"
  else
    log "solr: not running"
  fi
}

solr_status() {
  if solr_running && solr_ping; then
    log "solr: running (pid $(pid_of "$(SOLR_PIDFILE)")), ready at $(SOLR_CORE_URL)"
  elif solr_running; then
    log "solr: running (pid $(pid_of "$(SOLR_PIDFILE)")) but $(SOLR_CORE_URL)/admin/ping fails (log: $LOGS/solr.log)"
    return 1
  else
    log "solr: stopped"
    return 1
  fi
}

# ---------------------------------------------------------------- env

write_env() {
  cat >"$STACK_DIR/env.sh.tmp" <<EOF
# Written by scripts/stack.sh up; source it to point CKAN at the local stack.
export CKAN_SQLALCHEMY_URL=postgresql://ckan:ckan@$HOST:$PG_PORT/ckan_test
export CKAN_SOLR_URL=$(SOLR_CORE_URL)
export CKAN_REDIS_URL=redis://$HOST:$REDIS_PORT/1
# The demo site's database (not read by CKAN itself).
export DINAMIS_DEMO_SQLALCHEMY_URL=postgresql://ckan:ckan@$HOST:$PG_PORT/ckan_demo
export PG_PORT=$PG_PORT REDIS_PORT=$REDIS_PORT SOLR_PORT=$SOLR_PORT
# pytest-xdist workers gw0..gw$((PYTEST_WORKERS - 1)) have a database and a Solr core each (tests/workers.py).
export PYTEST_WORKERS=$PYTEST_WORKERS
EOF
  mv "$STACK_DIR/env.sh.tmp" "$STACK_DIR/env.sh"
}

# ---------------------------------------------------------------- commands

cmd_up() {
  local t0
  t0=$(now)
  ensure_packages
  check_tools
  pg_start
  redis_start
  solr_start
  write_env
  log "all services ready in $(elapsed "$t0"); environment (also in $STACK_DIR/env.sh):"
  grep '^export CKAN_' "$STACK_DIR/env.sh"
}

cmd_down() {
  # Reverse order; each stop is a no-op when the service is not running.
  solr_stop
  redis_stop
  pg_stop
}

cmd_clean() {
  cmd_down
  pg_paths
  log "removing $PG_DIR and $STACK_DIR"
  rm -rf "$PG_DIR" "$STACK_DIR"
}

cmd_status() {
  local rc=0
  pg_status || rc=1
  redis_status || rc=1
  solr_status || rc=1
  [[ -f $STACK_DIR/env.sh ]] && log "env: source $STACK_DIR/env.sh"
  return "$rc"
}

main() {
  local cmd=${1:-}
  case $cmd in
    up | down | status | clean) init_paths; "cmd_$cmd" ;;
    deps) init_paths; ensure_packages ;;
    env)
      init_paths
      [[ -f $STACK_DIR/env.sh ]] || die "no $STACK_DIR/env.sh yet: run '$0 up'"
      cat "$STACK_DIR/env.sh"
      ;;
    -h | --help | help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//' ;;
    *) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
  esac
}

main "$@"
