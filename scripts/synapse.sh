#!/usr/bin/env bash
# A throw-away Synapse homeserver on 127.0.0.1 for the end-to-end tests.
#
# The e2e tests (tests/tests/e2e, through tests/src/synapse.rs) call this
# script; developers can use it by hand as well:
#
#   scripts/synapse.sh [--flavour F] COMMAND ...
#
#   scripts/synapse.sh install      venv with the pinned matrix-synapse from PyPI
#                                   (idempotent; a no-op once installed)
#   scripts/synapse.sh start [DIR]  write a config into DIR (default: a new
#                                   folder under .synapse/runs), start the server
#                                   in the background, wait until
#                                   GET /_matrix/client/versions answers 200,
#                                   then print SYNAPSE_URL=... and SYNAPSE_DIR=...
#   scripts/synapse.sh run [DIR]    like start, then stay in the foreground until
#                                   stdin is closed (or SIGINT/SIGTERM/SIGHUP),
#                                   and stop the server. The test harness
#                                   holds stdin open for as long as the test
#                                   process lives, so the server can never
#                                   outlive it.
#   scripts/synapse.sh stop DIR     stop the server by its recorded PID
#                                   (SIGTERM, bounded wait, then SIGKILL)
#   scripts/synapse.sh log DIR [N]  the last N (default 200) lines of its log
#   scripts/synapse.sh reap         stop every server of this checkout that is
#                                   still running and remove stale run folders
#
# Flavours (which server install, start and run use; stop, log and reap
# work on run folders of either):
#   upstream (default)          matrix-synapse from PyPI
#   famedly                     Famedly's fork (v1.159.0_1), which implements
#                               com.famedly.refresh_token_lifetime_ms, from a
#                               local wheel (its dependencies from PyPI), in
#                               its own venv; its config adds
#                               famedly_maximum_refresh_token_lifetime: 20s
#
# Environment:
#   MATRIX_CSAPI_SYNAPSE_FLAVOUR the flavour when --flavour is not given
#   MATRIX_CSAPI_FAMEDLY_WHEEL  the fork's wheel (default: the one *.whl in
#                               <repo>/../shared/famedly-synapse/)
#   MATRIX_CSAPI_SYNAPSE_HOME   where the venv and run folders live
#                               (default: <repo>/.synapse, git-ignored)
#   MATRIX_CSAPI_SYNAPSE_KEEP=1 keep run folders after stop (default: removed)
#   PYTHON                      the Python used to create the venv (default: python3)
#
# Everything listens on 127.0.0.1 only: client API only, no TLS, no
# federation, SQLite. Registration needs no verification, rate limits are
# raised, and refreshable access tokens live 5 s, refresh tokens 10 s.
set -euo pipefail

readonly SYNAPSE_VERSION="1.163.2"
# The package version of Famedly's fork (its release is v1.159.0_1).
readonly FAMEDLY_SYNAPSE_VERSION="1.159.0"

# Token lifetimes the e2e tests rely on (tests/src/synapse.rs mirrors them).
readonly ACCESS_TOKEN_LIFETIME="5s"
readonly REFRESH_TOKEN_LIFETIME="10s"
readonly SESSION_LIFETIME="24h"
# Famedly's fork only: the cap on lifetimes clients ask for (tests/src/synapse.rs
# mirrors it). Above REFRESH_TOKEN_LIFETIME, so that a client can ask for
# more than the default and still be capped.
readonly FAMEDLY_MAXIMUM_REFRESH_TOKEN_LIFETIME="20s"

# Bounds of every wait, in tenths of a second.
readonly START_TIMEOUT_TENTHS=600   # start to first 200 from /versions
readonly STOP_TIMEOUT_TENTHS=150    # SIGTERM to exit, before SIGKILL
readonly REAP_GRACE_TENTHS=100      # let watchdogs stop their own servers first
readonly INSTALL_LOCK_TIMEOUT_S=900
readonly PORT_ATTEMPTS=3

repo_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
synapse_home="${MATRIX_CSAPI_SYNAPSE_HOME:-$repo_dir/.synapse}"
runs_dir="$synapse_home/runs"

# Set by select_flavour.
flavour=""
server_label=""   # for messages: "matrix-synapse 1.163.2"
server_version="" # what importlib.metadata must report once installed
venv_dir=""
venv_python=""
installed_marker=""
install_lock=""
run_prefix=""     # run folders are <runs_dir>/<run_prefix>.XXXXXXXX

say() {
    echo "synapse.sh: $*" >&2
}

die() {
    say "error: $*"
    exit 1
}

usage() {
    sed -n '2,/^set -euo pipefail$/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//'
}

# --- install -----------------------------------------------------------------

is_installed() {
    [[ -f "$installed_marker" && -x "$venv_python" ]] || return 1
    [[ "$flavour" != famedly ]] || famedly_marker_current
}

cmd_install() {
    if is_installed; then
        say "$server_label already installed in $venv_dir"
        return 0
    fi
    mkdir -p "$synapse_home"
    # Two test runs (or a developer and CI) may install at once.
    if command -v flock >/dev/null 2>&1; then
        exec 9>"$install_lock"
        flock -w "$INSTALL_LOCK_TIMEOUT_S" 9 || die "timed out waiting for another install (lock $install_lock)"
        if is_installed; then
            say "$server_label was installed meanwhile"
            return 0
        fi
    fi
    local python="${PYTHON:-python3}" package marker
    command -v "$python" >/dev/null 2>&1 || die "no '$python' on PATH: a Python >= 3.10 with the venv module is needed (set PYTHON=...)"
    if [[ "$flavour" == famedly ]]; then
        package="$(famedly_wheel)"
        marker="$(famedly_marker "$package")"
    else
        package="matrix-synapse==$SYNAPSE_VERSION"
        marker="$SYNAPSE_VERSION"
    fi
    say "installing $server_label ($package; dependencies from PyPI) into $venv_dir"
    local started=$SECONDS
    rm -rf "$venv_dir"
    "$python" -m venv "$venv_dir" || die "'$python -m venv' failed (on Debian/Ubuntu: apt-get install python3-venv)"
    "$venv_python" -m pip install --quiet --disable-pip-version-check --progress-bar off "$package" ||
        die "pip could not install $package (no network access to PyPI? set MATRIX_CSAPI_E2E=skip to skip the e2e tests offline)"
    local version
    version="$("$venv_python" -c 'import importlib.metadata as m, synapse; print(m.version("matrix-synapse"))')" ||
        die "matrix-synapse was installed but cannot be imported"
    [[ "$version" == "$server_version" ]] || die "installed matrix-synapse is $version, expected $server_version"
    if [[ "$flavour" == famedly ]]; then
        famedly_check_fork
    fi
    echo "$marker" >"$installed_marker"
    say "installed $server_label in $((SECONDS - started)) s"
}

# --- config ------------------------------------------------------------------

free_port() {
    "$venv_python" -c '
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()'
}

random_secret() {
    "$venv_python" -c 'import secrets; print(secrets.token_hex(32))'
}

write_config() {
    local dir="$1" port="$2"
    cat >"$dir/log.config" <<EOF
version: 1
formatters:
  precise:
    format: '%(asctime)s - %(name)s - %(lineno)d - %(levelname)s - %(request)s - %(message)s'
handlers:
  file:
    class: logging.FileHandler
    formatter: precise
    filename: $dir/homeserver.log
    encoding: utf8
loggers:
  synapse.storage.SQL:
    level: INFO
root:
  level: INFO
  handlers: [file]
disable_existing_loggers: false
EOF
    cat >"$dir/homeserver.yaml" <<EOF
# Written by scripts/synapse.sh for the matrix-csapi e2e tests. Do not deploy.
server_name: "localhost"
public_baseurl: "http://127.0.0.1:$port/"
report_stats: false
listeners:
  - port: $port
    bind_addresses: ["127.0.0.1"]
    type: http
    tls: false
    x_forwarded: false
    resources:
      - names: [client]
        compress: false
database:
  name: sqlite3
  args:
    database: "$dir/homeserver.db"
log_config: "$dir/log.config"
media_store_path: "$dir/media_store"
signing_key_path: "$dir/signing.key"
macaroon_secret_key: "$(random_secret)"
form_secret: "$(random_secret)"
trusted_key_servers: []
suppress_key_server_warning: true
# Cheap password hashing: tests register and log in a lot.
bcrypt_rounds: 4
enable_registration: true
enable_registration_without_verification: true
refreshable_access_token_lifetime: $ACCESS_TOKEN_LIFETIME
refresh_token_lifetime: $REFRESH_TOKEN_LIFETIME
session_lifetime: $SESSION_LIFETIME
rc_message: {per_second: 10000, burst_count: 10000}
rc_registration: {per_second: 10000, burst_count: 10000}
rc_registration_token_validity: {per_second: 10000, burst_count: 10000}
rc_login:
  address: {per_second: 10000, burst_count: 10000}
  account: {per_second: 10000, burst_count: 10000}
  failed_attempts: {per_second: 10000, burst_count: 10000}
rc_admin_redaction: {per_second: 10000, burst_count: 10000}
rc_joins:
  local: {per_second: 10000, burst_count: 10000}
  remote: {per_second: 10000, burst_count: 10000}
rc_joins_per_room: {per_second: 10000, burst_count: 10000}
rc_invites:
  per_room: {per_second: 10000, burst_count: 10000}
  per_user: {per_second: 10000, burst_count: 10000}
  per_issuer: {per_second: 10000, burst_count: 10000}
rc_3pid_validation: {per_second: 10000, burst_count: 10000}
rc_room_creation: {per_second: 10000, burst_count: 10000}
rc_presence:
  per_user: {per_second: 10000, burst_count: 10000}
rc_delayed_event_mgmt: {per_second: 10000, burst_count: 10000}
# For tests/tests/e2e/operations, which calls every operation of the API:
# Synapse lets nobody publish rooms to the directory unless a rule allows it.
room_list_publication_rules: [{action: allow}]
# The deprecated unauthenticated media endpoints (still in the spec) serve
# media uploaded after Synapse's media freeze only with this off.
enable_authenticated_media: false
# POST /login/get_token (m.login.token for a new device) is off by default.
login_via_existing_session: {enabled: true, require_ui_auth: true}
EOF
}

# Synapse refuses to start without a signing key. `homeserver --generate-keys`
# writes one but imports all of Synapse (about 2 s); this writes the same
# file with the library Synapse itself uses for it (about 0.1 s).
generate_signing_key() {
    "$venv_python" -c '
import secrets, string, sys
from signedjson.key import generate_signing_key, write_signing_keys
key_id = "a_" + "".join(secrets.choice(string.ascii_letters) for _ in range(4))
with open(sys.argv[1], "w") as f:
    write_signing_keys(f, [generate_signing_key(key_id)])' "$1" ||
        die "could not generate the signing key"
}

# --- process handling --------------------------------------------------------

# True when PID is alive and is the Synapse of run folder DIR (guards against
# a recycled PID).
is_our_synapse() {
    local pid="$1" dir="$2" args
    [[ "$pid" =~ ^[0-9]+$ ]] || return 1
    args="$(ps -o args= -p "$pid" 2>/dev/null)" || return 1
    [[ "$args" == *synapse.app.homeserver* && "$args" == *"$dir/homeserver.yaml"* ]]
}

recorded_pid() {
    local dir="$1"
    [[ -f "$dir/synapse.pid" ]] && cat "$dir/synapse.pid"
}

log_tail() {
    local dir="$1" lines="${2:-200}" file
    for file in "$dir/homeserver.log" "$dir/stdio.log"; do
        if [[ -s "$file" ]]; then
            echo "----- last $lines lines of $file -----"
            tail -n "$lines" "$file"
        fi
    done
}

probe_versions() {
    local url="$1/_matrix/client/versions"
    if command -v curl >/dev/null 2>&1; then
        curl --silent --fail --noproxy '*' --max-time 2 --output /dev/null "$url"
    else
        "$venv_python" -c '
import sys, urllib.request
opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
sys.exit(0 if opener.open(sys.argv[1], timeout=2).status == 200 else 1)' "$url" 2>/dev/null
    fi
}

# Starts Synapse for run folder DIR in the background (a child of this
# shell), records its PID and waits for /versions. Sets SYNAPSE_URL.
start_server() {
    local dir="$1" attempt port pid tenths
    is_installed || die "$server_label is not installed: run 'scripts/synapse.sh --flavour $flavour install' first"
    mkdir -p "$dir"
    if [[ -n "$(recorded_pid "$dir" || true)" ]] && is_our_synapse "$(recorded_pid "$dir")" "$dir"; then
        die "a server is already running for $dir (PID $(recorded_pid "$dir"))"
    fi
    for ((attempt = 1; attempt <= PORT_ATTEMPTS; attempt++)); do
        port="$(free_port)"
        write_config "$dir" "$port"
        write_flavour_config "$dir"
        if [[ ! -s "$dir/signing.key" ]]; then
            generate_signing_key "$dir/signing.key"
        fi
        : >"$dir/homeserver.log"
        "$venv_python" -m synapse.app.homeserver --config-path "$dir/homeserver.yaml" \
            </dev/null >"$dir/stdio.log" 2>&1 &
        pid=$!
        echo "$pid" >"$dir/synapse.pid"
        SYNAPSE_URL="http://127.0.0.1:$port"
        for ((tenths = 0; tenths < START_TIMEOUT_TENTHS; tenths++)); do
            if probe_versions "$SYNAPSE_URL"; then
                say "$server_label (PID $pid) ready at $SYNAPSE_URL after $((tenths / 10)).$((tenths % 10)) s"
                return 0
            fi
            if ! kill -0 "$pid" 2>/dev/null; then
                break
            fi
            sleep 0.1
        done
        if kill -0 "$pid" 2>/dev/null; then
            stop_pid "$pid" "$dir"
            log_tail "$dir" 100 >&2
            die "Synapse did not answer GET /_matrix/client/versions within $((START_TIMEOUT_TENTHS / 10)) s"
        fi
        wait "$pid" 2>/dev/null || true
        rm -f "$dir/synapse.pid"
        if grep -q -s "Address already in use" "$dir/homeserver.log" "$dir/stdio.log"; then
            say "port $port was taken meanwhile; trying another one"
            continue
        fi
        log_tail "$dir" 100 >&2
        die "Synapse exited during start-up (see the log above)"
    done
    die "no free port found after $PORT_ATTEMPTS attempts"
}

stop_pid() {
    local pid="$1" dir="$2" tenths
    is_our_synapse "$pid" "$dir" || return 0
    kill -TERM "$pid" 2>/dev/null || return 0
    for ((tenths = 0; tenths < STOP_TIMEOUT_TENTHS; tenths++)); do
        is_our_synapse "$pid" "$dir" || return 0
        sleep 0.1
    done
    say "Synapse (PID $pid) ignored SIGTERM for $((STOP_TIMEOUT_TENTHS / 10)) s; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
}

stop_dir() {
    local dir="$1" pid
    pid="$(recorded_pid "$dir" || true)"
    if [[ -n "$pid" ]]; then
        stop_pid "$pid" "$dir"
        say "stopped Synapse (PID $pid) of $dir"
    fi
    rm -f "$dir/synapse.pid"
    if [[ "${MATRIX_CSAPI_SYNAPSE_KEEP:-0}" != 1 && "$dir" == "$runs_dir"/* ]]; then
        rm -rf "$dir"
    fi
}

resolve_dir() {
    local dir="${1:-}"
    if [[ -z "$dir" ]]; then
        mkdir -p "$runs_dir"
        dir="$(mktemp -d "$runs_dir/$run_prefix.XXXXXXXX")"
    fi
    mkdir -p "$dir"
    (cd "$dir" && pwd)
}

# --- flavours ----------------------------------------------------------------

select_flavour() {
    flavour="$1"
    case "$flavour" in
    upstream)
        server_label="matrix-synapse $SYNAPSE_VERSION"
        server_version="$SYNAPSE_VERSION"
        venv_dir="$synapse_home/venv-$SYNAPSE_VERSION"
        install_lock="$synapse_home/install.lock"
        run_prefix="run"
        ;;
    famedly)
        server_label="Famedly's Synapse fork $FAMEDLY_SYNAPSE_VERSION"
        server_version="$FAMEDLY_SYNAPSE_VERSION"
        venv_dir="$synapse_home/venv-famedly-$FAMEDLY_SYNAPSE_VERSION"
        install_lock="$synapse_home/install-famedly.lock"
        run_prefix="famedly"
        ;;
    *) die "unknown flavour '$flavour' (expected upstream or famedly)" ;;
    esac
    venv_python="$venv_dir/bin/python"
    installed_marker="$venv_dir/.matrix-csapi-installed"
}

# The fork's wheel, as an absolute path: $MATRIX_CSAPI_FAMEDLY_WHEEL, or the
# only *.whl in ../shared/famedly-synapse beside the repository.
famedly_wheel() {
    local wheel="${MATRIX_CSAPI_FAMEDLY_WHEEL:-}" dir="$repo_dir/../shared/famedly-synapse"
    if [[ -n "$wheel" ]]; then
        [[ -f "$wheel" ]] || die "MATRIX_CSAPI_FAMEDLY_WHEEL=$wheel: no such file"
    else
        local wheels=()
        shopt -s nullglob
        wheels=("$dir"/*.whl)
        shopt -u nullglob
        [[ ${#wheels[@]} -eq 1 ]] ||
            die "expected exactly one *.whl of Famedly's Synapse fork in $dir, found ${#wheels[@]} (set MATRIX_CSAPI_FAMEDLY_WHEEL=/path/to/the.whl)"
        wheel="${wheels[0]}"
    fi
    echo "$(cd "$(dirname "$wheel")" && pwd)/$(basename "$wheel")"
}

# What the installed marker records: the version and the wheel's digest, so
# that a different wheel (a rebuild, another release) is installed afresh.
famedly_marker() {
    local digest
    digest="$(sha256sum "$1" | cut -d' ' -f1)" || die "cannot read $1"
    echo "$FAMEDLY_SYNAPSE_VERSION sha256:$digest"
}

famedly_marker_current() {
    local wheel
    wheel="$(famedly_wheel 2>/dev/null)" || return 1
    [[ "$(cat "$installed_marker")" == "$(famedly_marker "$wheel")" ]]
}

# The fork has the same package name and a plain upstream version number:
# make sure the wheel really is the fork before the tests rely on it.
famedly_check_fork() {
    local source
    source="$("$venv_python" -c 'import synapse.config.registration as r; print(r.__file__)')" ||
        die "cannot import synapse.config.registration from the installed wheel"
    grep -q famedly_maximum_refresh_token_lifetime "$source" ||
        die "the installed wheel is not Famedly's fork: $source has no famedly_maximum_refresh_token_lifetime"
}

# Config keys only one flavour understands, appended to homeserver.yaml.
write_flavour_config() {
    local dir="$1"
    [[ "$flavour" == famedly ]] || return 0
    cat >>"$dir/homeserver.yaml" <<EOF
# Famedly's fork: the longest refresh-token lifetime a client may ask for
# with com.famedly.refresh_token_lifetime_ms (the server's default above is
# not capped by it).
famedly_maximum_refresh_token_lifetime: $FAMEDLY_MAXIMUM_REFRESH_TOKEN_LIFETIME
EOF
}

# --- commands ----------------------------------------------------------------

cmd_start() {
    local dir
    dir="$(resolve_dir "${1:-}")"
    start_server "$dir"
    echo "SYNAPSE_URL=$SYNAPSE_URL"
    echo "SYNAPSE_DIR=$dir"
}

run_dir=""
stdin_watcher=""

caller_gone=0

run_cleanup() {
    # When the caller is gone, so are the readers of our stdout and stderr:
    # writing there would kill this script (SIGPIPE) before the server stops.
    if [[ $caller_gone -eq 1 ]]; then
        exec >/dev/null 2>&1
    fi
    if [[ -n "$stdin_watcher" ]]; then
        kill "$stdin_watcher" 2>/dev/null || true
    fi
    if [[ -n "$run_dir" ]]; then
        stop_dir "$run_dir"
    fi
}

cmd_run() {
    run_dir="$(resolve_dir "${1:-}")"
    # From here on, however this script ends, the server is stopped.
    trap run_cleanup EXIT
    trap 'exit 0' INT TERM HUP
    echo "$$" >"$run_dir/watchdog.pid"
    start_server "$run_dir"
    echo "SYNAPSE_URL=$SYNAPSE_URL"
    echo "SYNAPSE_DIR=$run_dir"
    # Wait for stdin to close: the caller exited, however it ended. The
    # explicit redirection keeps our stdin for the background job (instead
    # of /dev/null), and `wait` lets a trapped signal end the wait at once.
    cat <&0 >/dev/null &
    stdin_watcher=$!
    wait "$stdin_watcher" || true
    stdin_watcher=""
    caller_gone=1
}

cmd_stop() {
    [[ $# -ge 1 && -n "$1" ]] || die "usage: synapse.sh stop DIR"
    [[ -d "$1" ]] || die "no run folder $1"
    stop_dir "$(cd "$1" && pwd)"
}

cmd_log() {
    [[ $# -ge 1 && -n "$1" ]] || die "usage: synapse.sh log DIR [LINES]"
    log_tail "$1" "${2:-200}"
}

watchdog_alive() {
    local dir="$1" pid
    pid="$(cat "$dir/watchdog.pid" 2>/dev/null || true)"
    [[ "$pid" =~ ^[0-9]+$ ]] && [[ "$(ps -o args= -p "$pid" 2>/dev/null || true)" == *synapse.sh* ]]
}

cmd_reap() {
    local dir pid tenths left=0 stopped=0
    [[ -d "$runs_dir" ]] || return 0
    # Servers whose test process just exited are being stopped by their own
    # watchdog (`run`); give those a moment before stepping in.
    for ((tenths = 0; tenths < REAP_GRACE_TENTHS; tenths++)); do
        left=0
        for dir in "$runs_dir"/*/; do
            dir="${dir%/}"
            pid="$(recorded_pid "$dir" || true)"
            if [[ -n "$pid" ]] && is_our_synapse "$pid" "$dir" && watchdog_alive "$dir"; then
                left=$((left + 1))
            fi
        done
        [[ $left -eq 0 ]] && break
        sleep 0.1
    done
    for dir in "$runs_dir"/*/; do
        [[ -d "$dir" ]] || continue
        dir="${dir%/}"
        pid="$(recorded_pid "$dir" || true)"
        if [[ -n "$pid" ]] && is_our_synapse "$pid" "$dir"; then
            say "Synapse (PID $pid) of $dir is still running; stopping it"
            stopped=$((stopped + 1))
        fi
        stop_dir "$dir"
    done
    if [[ $stopped -gt 0 ]]; then
        say "reaped $stopped left-over server(s)"
    fi
}

flavour_arg="${MATRIX_CSAPI_SYNAPSE_FLAVOUR:-upstream}"
case "${1:-}" in
--flavour)
    [[ $# -ge 2 ]] || die "--flavour needs a value (upstream or famedly)"
    flavour_arg="$2"
    shift 2
    ;;
--flavour=*)
    flavour_arg="${1#--flavour=}"
    shift
    ;;
esac
select_flavour "$flavour_arg"

[[ $# -ge 1 ]] || { usage >&2; exit 2; }
command="$1"
shift
case "$command" in
install) cmd_install "$@" ;;
start) cmd_install && cmd_start "$@" ;;
run) cmd_install && cmd_run "$@" ;;
stop) cmd_stop "$@" ;;
log) cmd_log "$@" ;;
reap) cmd_reap "$@" ;;
-h | --help | help) usage ;;
*)
    say "unknown command '$command' (see 'scripts/synapse.sh help')"
    exit 2
    ;;
esac
