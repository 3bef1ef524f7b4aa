# Helpers shared by e2e_test.sh and tls_test.sh (sourced, not run). They expect `set -euo
# pipefail` and the environment ctest gives (tests/server/e2e/CMakeLists.txt): PORTAL_SERVER,
# SELFSERVICE_CLI, WS_CLIENT (the binaries) and E2E_FIXTURES (this folder).
#
# Everything lives in one temporary directory, removed on exit together with every process the
# test started (servers and WebSocket clients, by their pid). Tokens travel in header files
# (curl -H @file), never on a command line that a listing of processes would show, and are
# never printed; ws_client alone takes one as an argument, as its interface says.

: "${PORTAL_SERVER:?the portal_server binary}" "${SELFSERVICE_CLI:?the selfservice binary}"
: "${WS_CLIENT:?the ws_client binary}" "${E2E_FIXTURES:?tests/server/e2e}"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/selfservice-e2e.XXXXXX")
STARTED_PIDS=()

cleanup() {
  local pid
  for pid in "${STARTED_PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${STARTED_PIDS[@]}"; do
    if kill -0 "$pid" 2>/dev/null; then wait "$pid" 2>/dev/null || true; fi  # not reaped yet
  done
  rm -rf "$WORK"
}
trap cleanup EXIT
# A command that fails outside a check (set -e) names itself before the test stops.
set -E
trap 'fail "line $LINENO: \"$BASH_COMMAND\" failed"' ERR

# Stops the test with a message, and what the servers wrote on stderr (their crash or ASan report).
fail() {
  echo "FAIL: $*" >&2
  trap - ERR
  local log
  for log in "$WORK"/*.server.err; do
    if [[ -s $log ]]; then
      echo "--- $log" >&2
      tail -n 50 "$log" >&2
    fi
  done
  exit 1
}

note() { echo "--- $*"; }

# --- JSON, through Debian's python (no jq here) ---------------------------------------------------

# Prints the value of a Python expression over the JSON file $1 (parsed as `d`): strings as they
# are, anything else as JSON.
jget() {
  /usr/bin/python3 -c '
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
v = eval("(" + sys.argv[2] + ")")  # parenthesised: an expression may span lines
print(v if isinstance(v, str) else json.dumps(v, ensure_ascii=False))' "$1" "$2"
}

# Fails with message $3 (and the file) unless the Python expression $2 over the JSON file $1 is true.
jcheck() {
  /usr/bin/python3 -c '
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
sys.exit(0 if eval("(" + sys.argv[2] + ")") else 1)' "$1" "$2" 2>/dev/null || fail "$3: $(head -c 1500 "$1")"
}

# Fails unless the file $1 is an error envelope of code $2: the unified shape of docs/API.md.
check_envelope() {
  jcheck "$1" "d['code'] == $2 and isinstance(d['message'], str) and d['message'] and isinstance(d['errors'], list)
              and isinstance(d['trace_id'], str) and d['trace_id'] and 'data' not in d" "not a $2 error envelope"
}

# --- HTTP with curl -------------------------------------------------------------------------------

BASE=""              # http(s)://127.0.0.1:PORT of the last server started
PORT=""
CURL_TLS=()          # extra curl options (--cacert) for an https BASE
BODY="$WORK/body"    # the last answer's body
HEADERS="$WORK/headers"
STATUS=""            # and its HTTP status

# call VERB PATH [AUTH_FILE|-] [JSON_BODY]: one request to BASE; sets STATUS, BODY and HEADERS.
# AUTH_FILE holds the Authorization header (see login); "-" or nothing sends none.
call() {
  local verb=$1 path=$2 auth=${3:--} data=${4-}
  local args=(-sS -X "$verb" -o "$BODY" -D "$HEADERS" -w '%{http_code}' "${CURL_TLS[@]}")
  [[ $auth != - ]] && args+=(-H "@$auth")
  [[ -n $data ]] && args+=(-H 'Content-Type: application/json' --data-binary "$data")
  STATUS=$(curl "${args[@]}" "$BASE$path") || fail "curl $verb $path failed"
}

# expect_status CODE WHAT: fails unless the last answer had HTTP status CODE.
expect_status() {
  [[ $STATUS == "$1" ]] || fail "$2: HTTP $STATUS, expected $1: $(head -c 1500 "$BODY")"
}

# header NAME: the value of a header of the last answer (empty when absent).
header() {
  tr -d '\r' < "$HEADERS" | awk -v name="${1,,}" -F': ' \
    'tolower($1) == name { sub(/^[^:]*: /, ""); print; exit }'
}

# login USER PASSWORD: signs in over HTTP and keeps the bearer header in $WORK/USER.auth.
login() {
  call POST /api/v1/customer-portal/auth/login - \
    "{\"tenant_id\": 1, \"username\": \"$1\", \"password\": \"$2\"}"
  expect_status 200 "auth.login of $1"
  jcheck "$BODY" "d['code'] == 200 and d['data']['token_type'] == 'Bearer' and len(d['data']['access_token']) > 20" \
    "auth.login of $1"
  ( umask 077; printf 'Authorization: Bearer %s\n' "$(jget "$BODY" "d['data']['access_token']")" > "$WORK/$1.auth" )
}

# token USER: the access token of login USER (for ws_client).
token() { sed -n 's/^Authorization: Bearer //p' "$WORK/$1.auth"; }

# --- The database and the server -----------------------------------------------------------------

ALICE_PASSWORD='Blue-Lantern-4071!'
SUPPORT_PASSWORD='Green-Harbour-5182!'

# seed DB: a customer_user alice and a platform_admin support (tenant 1, customer 1), created with
# the CLI as a trusted local host, and the bilingual articles of kb.jsonl.
seed() {
  local db=$1
  "$SELFSERVICE_CLI" --db "$db" --quiet call users.create \
    "{\"username\": \"alice\", \"email\": \"alice@example.com\", \"password\": \"$ALICE_PASSWORD\", \"roles\": [\"customer_user\"]}" \
    > "$WORK/seed.out" 2>&1 || fail "users.create alice: $(cat "$WORK/seed.out")"
  "$SELFSERVICE_CLI" --db "$db" --quiet call users.create \
    "{\"username\": \"support\", \"password\": \"$SUPPORT_PASSWORD\", \"roles\": [\"platform_admin\"]}" \
    > "$WORK/seed.out" 2>&1 || fail "users.create support: $(cat "$WORK/seed.out")"
  "$SELFSERVICE_CLI" --db "$db" --quiet --json import "$E2E_FIXTURES/kb.jsonl" > "$WORK/import.json" 2>&1 \
    || fail "import: $(cat "$WORK/import.json")"
  jcheck "$WORK/import.json" "d['imported'] == 6 and d['failed'] == 0" "the CLI import of kb.jsonl"
}

SERVER_PID=""

# start_server NAME ARGS...: starts portal_server ARGS... --port 0 in the background, waits for its
# "listening on" line and sets SERVER_PID and BASE. Its stdout and stderr go to $WORK/NAME.server.*.
start_server() {
  local name=$1
  shift
  : > "$WORK/$name.server.out"  # exists before the background process opens it
  "$PORTAL_SERVER" "$@" --port 0 > "$WORK/$name.server.out" 2> "$WORK/$name.server.err" &
  SERVER_PID=$!
  STARTED_PIDS+=("$SERVER_PID")
  local line=""
  # Polls the first line; the bound is generous for instrumented builds on a loaded machine.
  for _ in $(seq 600); do
    line=$(head -n 1 "$WORK/$name.server.out")
    [[ -n $line ]] && break
    kill -0 "$SERVER_PID" 2>/dev/null || fail "portal_server $name exited before listening"
    sleep 0.1
  done
  [[ $line =~ ^listening\ on\ (https?)://127\.0\.0\.1:([0-9]+)$ ]] || fail "portal_server $name printed '$line'"
  BASE="${BASH_REMATCH[1]}://127.0.0.1:${BASH_REMATCH[2]}"
  PORT=${BASH_REMATCH[2]}
}

# stop_server: SIGTERM, then fails unless the server exits 0 (within the test's timeout).
stop_server() {
  kill -TERM "$SERVER_PID"
  local status=0
  wait "$SERVER_PID" || status=$?
  [[ $status == 0 ]] || fail "portal_server exited $status after SIGTERM"
}
