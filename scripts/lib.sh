# Shared set-up for scripts/demo and scripts/test. Every step checks first and does nothing when
# its tool is already there, so a second run is quick.
# shellcheck shell=bash

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CARGO_LEPTOS_VERSION="0.3.10"

say() { printf '\033[1;34m==>\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31merror:\033[0m %s\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else die "need root for: $*"; fi
}

apt_install() {
  say "installing $* with apt"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

LEPTOSFMT_VERSION="0.1.33"

ensure_rust_tools() {
  export PATH="$HOME/.cargo/bin:$PATH"
  command -v cargo >/dev/null || die "cargo is missing: install Rust with rustup first"
  for component in rustfmt clippy; do
    if ! rustup component list --installed 2>/dev/null | grep -q "^$component"; then
      say "adding the $component component"
      rustup component add "$component"
    fi
  done
  if ! leptosfmt --version 2>/dev/null | grep -q "$LEPTOSFMT_VERSION"; then
    say "installing leptosfmt $LEPTOSFMT_VERSION (the views' formatter, about 3 minutes the first time)"
    cargo install leptosfmt --version "$LEPTOSFMT_VERSION" --locked
  fi
  if ! rustup target list --installed 2>/dev/null | grep -q wasm32-unknown-unknown; then
    say "adding the wasm32 target"
    rustup target add wasm32-unknown-unknown
  fi
  if ! cargo leptos --version 2>/dev/null | grep -q "$CARGO_LEPTOS_VERSION"; then
    # 0.3.11 needs a newer rustc than this machine has; see shared/docs/toolchain.md.
    say "installing cargo-leptos $CARGO_LEPTOS_VERSION (about 16 minutes the first time)"
    cargo install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked
  fi
  local wbg
  wbg="$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/version = |"/,""); print; exit}' "$ROOT/Cargo.lock")"
  if ! wasm-bindgen --version 2>/dev/null | grep -q "$wbg"; then
    # Without --locked: its lockfile wants a webpki-roots release the registry here lacks.
    say "installing wasm-bindgen-cli $wbg (must match Cargo.lock exactly)"
    cargo install wasm-bindgen-cli --version "$wbg"
  fi
}

ensure_node_modules() {
  # `npm install`, not `npm ci`: lock files written here omit platform-specific optional
  # packages (this machine sets omit-lockfile-registry-resolved), which `npm ci` rejects.
  command -v npm >/dev/null || apt_install nodejs npm
  if [ ! -d "$ROOT/node_modules/@tailwindcss/cli" ] || [ "$ROOT/package-lock.json" -nt "$ROOT/node_modules/.package-lock.json" ]; then
    say "installing Tailwind and binaryen from npm"
    (cd "$ROOT" && npm install --no-audit --no-fund --loglevel=error)
  fi
}

ensure_playwright() {
  if [ ! -x /usr/bin/chromium ]; then
    apt_install chromium
  fi
  if [ ! -d "$ROOT/end2end/node_modules/@playwright/test" ] || [ "$ROOT/end2end/package-lock.json" -nt "$ROOT/end2end/node_modules/.package-lock.json" ]; then
    say "installing Playwright (the test runner only; the browser is Debian's Chromium)"
    (cd "$ROOT/end2end" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm install --no-audit --no-fund --loglevel=error)
  fi
}

# The cargo-leptos build of the debug site. scripts/test and scripts/demo build with the same
# package and target selection as `cargo test`, so the dependency features resolve alike and a
# demo after the tests reuses their build instead of compiling again.
LEPTOS_DEBUG_BUILD_ARGS=(--split --bin-cargo-args=--workspace --bin-cargo-args=--exclude=frontend --bin-cargo-args=--all-targets)

# Where the private cluster keeps its data, and how its commands run: as the postgres user when
# this is root (initdb refuses root).
PG_DATA="$ROOT/.data/pg"
PG_RUNAS=()
if [ "$(id -u)" = 0 ]; then PG_RUNAS=(runuser -u postgres --); fi
# Set by ensure_postgres when it uses the private cluster: the port it listens on.
PRIVATE_PG_PORT=""

pg_bindir() {
  ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1
}

# Stops the private cluster if it runs; says so either way.
stop_private_postgres() {
  local bindir
  bindir="$(pg_bindir)"
  if [ -n "$bindir" ] && [ -f "$PG_DATA/PG_VERSION" ] \
    && "${PG_RUNAS[@]}" "$bindir/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1; then
    "${PG_RUNAS[@]}" "$bindir/pg_ctl" -D "$PG_DATA" -m fast -w stop >/dev/null
    say "stopped the private PostgreSQL cluster in .data/pg (its data stays there)"
  else
    say "the private PostgreSQL cluster in .data/pg is not running"
  fi
}

# Sets DATABASE_URL: the caller's when set, otherwise a private cluster in .data/ started from the
# system's PostgreSQL binaries (installed with apt when missing).
ensure_postgres() {
  if [ -n "${DATABASE_URL:-}" ]; then
    say "using DATABASE_URL from the environment"
    return
  fi
  local bindir
  bindir="$(pg_bindir)"
  if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
    apt_install postgresql
    bindir="$(pg_bindir)"
  fi
  local data="$PG_DATA" run="$ROOT/.data/pg-run" pwfile="$ROOT/.data/pg-password"
  mkdir -p "$run"
  local runas=("${PG_RUNAS[@]}")
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || as_root useradd --system --home-dir /var/lib/postgresql postgres
    chown postgres "$run"
  fi
  # The cluster's password: generated once, readable by this user only. Every connection, over
  # TCP or the socket, must give it (scram-sha-256), so no other local user gets in.
  if [ ! -s "$pwfile" ]; then
    (umask 077 && random_hex 24 > "$pwfile")
  fi
  local password
  password="$(cat "$pwfile")"
  if [ ! -f "$data/PG_VERSION" ]; then
    say "creating a private PostgreSQL cluster in .data/pg"
    mkdir -p "$data"
    [ "$(id -u)" = 0 ] && chown postgres "$data"
    local initpw="$run/initdb-password"
    (umask 077 && printf '%s\n' "$password" > "$initpw")
    [ "$(id -u)" = 0 ] && chown postgres "$initpw"
    "${runas[@]}" "$bindir/initdb" -D "$data" -U postgres --auth=scram-sha-256 --pwfile="$initpw" >/dev/null
    rm -f "$initpw"
  fi
  local port
  if "${runas[@]}" "$bindir/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    port="$(sed -n 4p "$data/postmaster.pid")"  # the running server's port
  else
    # Another checkout's cluster may hold the usual port: take the first free one.
    port="${SEATSYNC_PG_PORT:-55432}"
    while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
    say "starting the private PostgreSQL cluster on 127.0.0.1:$port (no DATABASE_URL was set)"
    "${runas[@]}" "$bindir/pg_ctl" -D "$data" -l "$run/postgres.log" \
      -o "-p $port -k $run -c listen_addresses=127.0.0.1 -c max_connections=200" -w start >/dev/null
  fi
  # A cluster made by an earlier version trusted every local user: give it the password.
  if grep -Eq '^(local|host)[[:space:]].*trust' "$data/pg_hba.conf" 2>/dev/null; then
    say "requiring a password on the private PostgreSQL cluster"
    "${runas[@]}" "$bindir/psql" -h "$run" -p "$port" -U postgres -qAt -v ON_ERROR_STOP=1 \
      -c "ALTER USER postgres PASSWORD '$password'" postgres >/dev/null
    "${runas[@]}" sed -i -E 's/^((local|host)[[:space:]].*)trust[[:space:]]*$/\1scram-sha-256/' "$data/pg_hba.conf"
    "${runas[@]}" "$bindir/pg_ctl" -D "$data" reload >/dev/null
  fi
  PRIVATE_PG_PORT="$port"
  export DATABASE_URL="postgres://postgres:$password@127.0.0.1:$port/postgres"
}

# `n` random bytes as hex.
random_hex() {
  od -An -N"$1" -tx1 /dev/urandom | tr -d ' \n'
}

# The session secret of the demo and the test servers: generated once into .data, never a
# constant anyone can read in this repository. It carries the demo marker, so SeatSync refuses
# it unless its public URL is a loopback address.
demo_session_secret() {
  local file="$ROOT/.data/session-secret"
  mkdir -p "$ROOT/.data"
  if [ ! -s "$file" ]; then
    (umask 077 && printf 'demo-only-%s' "$(random_hex 32)" > "$file")
  fi
  cat "$file"
}

# The key that encrypts the integration secrets saved in the app, for the demo and the test
# servers: generated once into .data (32 random bytes as hex), so a demo database's saved
# secrets stay readable across restarts.
demo_secrets_key() {
  local file="$ROOT/.data/secrets-key"
  mkdir -p "$ROOT/.data"
  if [ ! -s "$file" ]; then
    (umask 077 && random_hex 32 > "$file")
  fi
  cat "$file"
}

# Drops the databases the Rust integration tests made (seatsync_test_*) on DATABASE_URL's server.
drop_test_databases() {
  local name
  for name in $(psql "$DATABASE_URL" -qtAc "SELECT datname FROM pg_database WHERE datname LIKE 'seatsync\_test\_%'"); do
    psql "$DATABASE_URL" -qc "DROP DATABASE IF EXISTS \"$name\" WITH (FORCE)" >/dev/null
  done
}

# Creates database $1 on the server of DATABASE_URL when missing, and prints its URL.
database_url_for() {
  local name="$1" base="${DATABASE_URL%/*}"
  psql "$DATABASE_URL" -qtAc "SELECT 1 FROM pg_database WHERE datname = '$name'" | grep -q 1 \
    || psql "$DATABASE_URL" -qc "CREATE DATABASE \"$name\"" >/dev/null
  echo "$base/$name"
}

wait_for() {
  local url="$1" what="$2" tries="${3:-120}"
  for _ in $(seq "$tries"); do
    curl -fsS -o /dev/null "$url" 2>/dev/null && return 0
    sleep 0.5
  done
  die "$what did not come up at $url"
}

# Exports the app's configuration pointing every vendor and the sign-in authority at the
# simulator running at $1.
export_sim_config() {
  local sim="$1" tenant
  tenant="$(curl -fsS "$sim/_sim/summary" | grep -o '"partnerTenantId":"[^"]*"' | cut -d'"' -f4)"
  [ -n "$tenant" ] || die "the simulator at $sim did not report its partner tenant"
  export SEATSYNC_OIDC_AUTHORITY="$sim/$tenant/v2.0"
  export SEATSYNC_OIDC_CLIENT_ID="seatsync-demo"
  export SEATSYNC_OIDC_CLIENT_SECRET="seatsync-demo-secret"
  export SEATSYNC_SESSION_SECRET="${SEATSYNC_SESSION_SECRET:-$(demo_session_secret)}"
  export SEATSYNC_SECRETS_KEY="${SEATSYNC_SECRETS_KEY:-$(demo_secrets_key)}"
  export SEATSYNC_PARTNER_CENTER_URL="$sim" SEATSYNC_ENTRA_LOGIN_URL="$sim" SEATSYNC_GRAPH_URL="$sim"
  export SEATSYNC_PARTNER_TENANT_ID="$tenant"
  export SEATSYNC_PARTNER_CENTER_CLIENT_ID="seatsync-demo" SEATSYNC_PARTNER_CENTER_CLIENT_SECRET="seatsync-demo-secret"
  export SEATSYNC_PARTNER_CENTER_REFRESH_TOKEN="sim-partner-center-refresh-token"
  export SEATSYNC_GRAPH_CLIENT_ID="seatsync-demo" SEATSYNC_GRAPH_CLIENT_SECRET="seatsync-demo-secret"
  export SEATSYNC_AUTOTASK_ZONE_URL="$sim/ATServicesRest/V1.0/zoneInformation"
  export SEATSYNC_AUTOTASK_USERNAME="seatsync-api@northwind-msp.example" SEATSYNC_AUTOTASK_SECRET="sim-autotask-secret"
  export SEATSYNC_AUTOTASK_INTEGRATION_CODE="SEATSYNCSIMTRACKING"
  export SEATSYNC_PAX8_API_URL="$sim/v1" SEATSYNC_PAX8_TOKEN_URL="$sim/oauth/token"
  export SEATSYNC_PAX8_CLIENT_ID="sim-pax8-client" SEATSYNC_PAX8_CLIENT_SECRET="sim-pax8-secret"
  export SEATSYNC_CONNECTWISE_URL="$sim/v4_6_release/apis/3.0" SEATSYNC_CONNECTWISE_COMPANY_ID="northwind"
  export SEATSYNC_CONNECTWISE_PUBLIC_KEY="simpublickey" SEATSYNC_CONNECTWISE_PRIVATE_KEY="simprivatekey"
  export SEATSYNC_CONNECTWISE_CLIENT_ID="9f1f7c1e-0000-4000-8000-00000000c0de"
  export SEATSYNC_HALO_URL="$sim" SEATSYNC_HALO_CLIENT_ID="sim-halo-client" SEATSYNC_HALO_CLIENT_SECRET="sim-halo-secret"
  export SEATSYNC_DATTO_RMM_API_URL="$sim/datto" SEATSYNC_DATTO_RMM_API_KEY="sim-datto-key" SEATSYNC_DATTO_RMM_API_SECRET="sim-datto-secret"
  export SEATSYNC_HUNTRESS_URL="$sim/huntress/v1" SEATSYNC_HUNTRESS_API_KEY="sim-huntress-key" SEATSYNC_HUNTRESS_API_SECRET="sim-huntress-secret"
  export SEATSYNC_NINJAONE_URL="$sim/ninjaone" SEATSYNC_NINJAONE_CLIENT_ID="sim-ninjaone-client" SEATSYNC_NINJAONE_CLIENT_SECRET="sim-ninjaone-secret" SEATSYNC_NINJAONE_PSA_COMPANY_FIELD="psaCompanyId"
  export SEATSYNC_SENTINELONE_URL="$sim/sentinelone" SEATSYNC_SENTINELONE_API_TOKEN="sim-sentinelone-api-token"
  export SEATSYNC_DUO_API_URL="$sim/duo" SEATSYNC_DUO_INTEGRATION_KEY="DISIMULATORACCOUNTS1" SEATSYNC_DUO_SECRET_KEY="simDuoAccountsApiSecretKey0123456789abcd"
  # Just under the simulator's 300 single-object reads a minute, so a report run is quick.
  export SEATSYNC_DUO_REQUESTS_PER_MINUTE="${SEATSYNC_DUO_REQUESTS_PER_MINUTE:-290}"
  export SEATSYNC_AUVIK_URL="$sim/auvik/v1" SEATSYNC_AUVIK_USERNAME="seatsync-api@northwind-msp.example" SEATSYNC_AUVIK_API_KEY="sim-auvik-api-key"
  export SEATSYNC_AUTOMATE_URL="$sim/automate" SEATSYNC_AUTOMATE_CLIENT_ID="3c0a7e5e-9d1b-4c6a-8f2e-5a17a7e0c0de" SEATSYNC_AUTOMATE_USERNAME="seatsync-integrator" SEATSYNC_AUTOMATE_PASSWORD="sim-automate-password"
  local smtp_port
  smtp_port="$(curl -fsS "$sim/_sim/summary" | grep -o '"smtpPort":[0-9]*' | cut -d: -f2)"
  [ -n "$smtp_port" ] || die "the simulator at $sim did not report its SMTP port"
  export SEATSYNC_SMTP_HOST="127.0.0.1" SEATSYNC_SMTP_PORT="$smtp_port" SEATSYNC_SMTP_SECURITY="none"
  export SEATSYNC_SMTP_USERNAME="seatsync@northwind-msp.example" SEATSYNC_SMTP_PASSWORD="sim-smtp-password"
  export SEATSYNC_SMTP_FROM="seatsync@northwind-msp.example"
}
