#!/usr/bin/env bash
# Load benchmark of portal_server with wrk (issue 7; spec 6.2 and 9.2), beside nginx serving a static
# JSON file as the machine's reference. It is not a ctest test: it takes about 3 minutes, wants the
# machine to itself, and its figures go to docs/PERFORMANCE.md. bench/load/README.md explains the
# table it prints.
#
#   bench/load/run.sh [--quick] [--nginx-only] [BUILD_DIR]
#
# BUILD_DIR (default build/release under the repository) must hold examples/portal_server/portal_server
# and examples/cli/selfservice; --nginx-only measures the reference alone and needs neither.
# Everything lives in a temporary directory that is removed on exit, servers included; all output,
# raw wrk reports too, goes to stdout.
set -euo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_dir="$(cd "$script_dir/../.." && pwd)"
readonly script_dir repo_dir
readonly python=/usr/bin/python3
readonly wrk_threads=2
readonly spec_connections=1000
readonly sweep_connections=(50 200 1000)
readonly double_connections=$((2 * spec_connections))
# What a customer types into the portal's search box; a query the demo knowledge base answers.
readonly search_query="VPN keeps disconnecting"
# The benchmark user's tenant: the trusted CLI identity creates its account there.
readonly tenant_id=1

usage() {
  echo "usage: $0 [--quick] [--nginx-only] [BUILD_DIR]" >&2
  echo "  --quick       5 s runs instead of 15 s and 60 s, to try the script" >&2
  echo "  --nginx-only  measure only the nginx reference (no portal_server needed)" >&2
  exit 2
}

die() {
  echo "run.sh: $*" >&2
  exit 1
}

quick=0
nginx_only=0
build_dir="$repo_dir/build/release"
while (($#)); do
  case "$1" in
    --quick) quick=1 ;;
    --nginx-only) nginx_only=1 ;;
    -h | --help) usage ;;
    -*) usage ;;
    *) build_dir="$1" ;;
  esac
  shift
done

if ((quick)); then
  run_seconds=5
  double_seconds=5
else
  run_seconds=15
  double_seconds=60
fi

readonly server_bin="$build_dir/examples/portal_server/portal_server"
readonly cli_bin="$build_dir/examples/cli/selfservice"
readonly kb_file="$repo_dir/examples/demo/kb.jsonl"

command -v wrk >/dev/null || die "wrk is not installed (Debian package wrk)"
command -v curl >/dev/null || die "curl is not installed"
[[ -x /usr/sbin/nginx ]] || die "/usr/sbin/nginx is missing (Debian package nginx-light)"
[[ -x $python ]] || die "$python is missing"
if ((!nginx_only)); then
  [[ -x $server_bin ]] || die "$server_bin is missing: build the release preset first"
  [[ -x $cli_bin ]] || die "$cli_bin is missing: build the release preset first"
  [[ -r $kb_file ]] || die "$kb_file is missing"
fi

# wrk and both servers each hold one descriptor per connection; 2,000 connections need a few
# thousand. Ask for 65536, settle for the hard limit when it is lower.
hard_nofile="$(ulimit -Hn)"
if [[ $hard_nofile == unlimited ]] || ((hard_nofile >= 65536)); then
  ulimit -n 65536
else
  ulimit -n "$hard_nofile"
fi
(($(ulimit -n) >= double_connections + 1024)) ||
  die "open-file limit $(ulimit -n) is too low for $double_connections connections"

tmp_dir="$(mktemp -d /tmp/selfservice-load.XXXXXX)"
nginx_pid=""
server_pid=""
wrk_pid=""

stop_process() {
  local pid="$1"
  [[ -n $pid ]] || return 0
  kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 50); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

cleanup() {
  stop_process "$wrk_pid"
  stop_process "$server_pid"
  stop_process "$nginx_pid"
  rm -rf "$tmp_dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A port nobody listens on right now, for nginx. Another process could take it before nginx binds
# it; nginx then fails to start and the script stops with its log.
free_port() {
  "$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Waits until something answers HTTP on the URL (any status), while the process is alive.
wait_http() {
  local url="$1" pid="$2" name="$3"
  for _ in $(seq 300); do
    kill -0 "$pid" 2>/dev/null || return 1
    if [[ $(curl -s -o /dev/null -w '%{http_code}' "$url" || true) != 000 ]]; then
      return 0
    fi
    sleep 0.1
  done
  echo "run.sh: $name did not answer on $url within 30 s" >&2
  return 1
}

# Reads one field of a JSON document on stdin, by a dotted path ("data.access_token"); prints
# nothing and fails when it is missing.
json_field() {
  "$python" -c '
import json, sys
value = json.load(sys.stdin)
for key in sys.argv[1].split("."):
    value = value[key]
print(value)' "$1"
}

# --- the table -------------------------------------------------------------------------------------

nginx_rps=0
declare -a table_rows=()
declare -A result_rps=() result_p99_us=() result_errors=()

format_ms() {
  awk -v us="$1" 'BEGIN { printf "%.2f ms", us / 1000 }'
}

# run_wrk KEY LABEL CONNECTIONS SECONDS URL: runs wrk, prints its whole report, adds a table row and
# stores req/s, p99 and errors under KEY. The token (if any) reaches wrk through BENCH_TOKEN.
run_wrk() {
  local key="$1" label="$2" connections="$3" seconds="$4" url="$5"
  echo
  echo "### $label, $connections connections, ${seconds}s"
  echo "\$ wrk -t$wrk_threads -c$connections -d${seconds}s --timeout 2s --latency -s bench/load/report.lua $url"
  echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
  # In the background and waited for, so that Ctrl-C stops the script at once: wrk handles SIGINT
  # itself and exits 0, and bash ignores a SIGINT its foreground child survived.
  wrk "-t$wrk_threads" "-c$connections" "-d${seconds}s" --timeout 2s --latency \
    -s "$script_dir/report.lua" "$url" >"$tmp_dir/wrk.out" 2>&1 &
  wrk_pid=$!
  local status=0
  wait "$wrk_pid" || status=$?
  wrk_pid=""
  local output
  output="$(<"$tmp_dir/wrk.out")"
  printf '%s\n' "$output"
  ((status == 0)) || die "wrk failed against $url"

  local line
  line="$(grep '^BENCH_RESULT ' <<<"$output")" || die "wrk printed no BENCH_RESULT line"
  local -A r=()
  local pair
  for pair in ${line#BENCH_RESULT }; do
    r[${pair%%=*}]="${pair#*=}"
  done
  local rps=$((r[requests] * 1000000 / r[duration_us]))
  local errors=$((r[non2xx] + r[connect] + r[read] + r[write] + r[timeout]))
  result_rps[$key]=$rps
  result_p99_us[$key]=${r[p99_us]}
  result_errors[$key]=$errors

  local ratio="-"
  if [[ $key == nginx ]]; then
    ratio="1.00"
  elif ((nginx_rps > 0)); then
    ratio="$(awk -v a="$rps" -v b="$nginx_rps" 'BEGIN { printf "%.2f", a / b }')"
  fi
  table_rows+=("| $label | $connections | ${seconds} s | $rps | $(format_ms "${r[p50_us]}") | $(format_ms "${r[p99_us]}") | $errors (${r[non2xx]} non-2xx, $((errors - r[non2xx])) socket) | $ratio |")
}

# --- the machine ----------------------------------------------------------------------------------

echo "# Load benchmark: portal_server and nginx under wrk"
echo
echo "- date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
echo "- nproc: $(nproc)"
echo "- kernel: $(uname -r)"
echo "- CPU: $(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
echo "- load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "- $(wrk --version 2>&1 | head -n1 | sed 's/ *Copyright.*//'); $(/usr/sbin/nginx -v 2>&1)"
echo "- open-file limit: $(ulimit -n)"
echo "- wrk runs on the same cores as the server it measures ($wrk_threads threads), so every figure"
echo "  is what is left after wrk's own share of the CPU; nginx and portal_server pay it alike."
if ((quick)); then
  echo "- --quick: every run lasts ${run_seconds} s; these figures are for trying the script, not for"
  echo "  docs/PERFORMANCE.md."
fi

# --- nginx: the reference -------------------------------------------------------------------------

nginx_port="$(free_port)"
# The workers may run as another user when started by root: they need to reach www/ only.
chmod 711 "$tmp_dir"
mkdir -m 755 "$tmp_dir/www" "$tmp_dir/nginx"
now_ms="$(date -u '+%Y-%m-%dT%H:%M:%S.000Z')"
now_s="$(date -u '+%Y-%m-%dT%H:%M:%SZ')"
# The size and shape of a tickets.status answer, so both servers send about the same bytes.
printf '{"code":200,"message":"success","data":{"id":1,"status":"new","updated_at":"%s"},"timestamp":"%s","trace_id":"5f0c9e2a7b1d4c3e"}' \
  "$now_ms" "$now_s" >"$tmp_dir/www/status.json"
chmod 644 "$tmp_dir/www/status.json"

cat >"$tmp_dir/nginx/nginx.conf" <<EOF
# Written by bench/load/run.sh for one run; paths are relative to the -p prefix ($tmp_dir).
daemon off;
worker_processes auto;
worker_rlimit_nofile 16384;
pid nginx/nginx.pid;
error_log nginx/error.log warn;

events {
  worker_connections 8192;
}

http {
  access_log off;
  # Every temporary path into the prefix: the compiled-in ones under /var/lib/nginx need root.
  client_body_temp_path nginx/body;
  proxy_temp_path nginx/proxy;
  fastcgi_temp_path nginx/fastcgi;
  uwsgi_temp_path nginx/uwsgi;
  scgi_temp_path nginx/scgi;
  # wrk keeps its connections for the whole run; nginx would close one after 1,000 requests by
  # default, which portal_server does not do, so the reference would pay reconnects it does not.
  keepalive_requests 100000000;
  keepalive_timeout 120s;

  server {
    listen 127.0.0.1:$nginx_port;
    root www;
    location = /status.json {
      default_type application/json;
    }
  }
}
EOF

/usr/sbin/nginx -p "$tmp_dir" -c "$tmp_dir/nginx/nginx.conf" &
nginx_pid=$!
nginx_url="http://127.0.0.1:$nginx_port/status.json"
wait_http "$nginx_url" "$nginx_pid" nginx || {
  cat "$tmp_dir/nginx/error.log" >&2 2>/dev/null || true
  die "nginx did not start"
}
[[ $(curl -s -o /dev/null -w '%{http_code}' "$nginx_url") == 200 ]] || die "nginx does not serve $nginx_url"
echo
echo "nginx $(/usr/sbin/nginx -v 2>&1 | sed 's/^nginx version: //'), worker_processes auto, serving a static tickets.status envelope at $nginx_url"

run_wrk nginx "nginx static JSON" "$spec_connections" "$run_seconds" "$nginx_url"
nginx_rps=${result_rps[nginx]}
stop_process "$nginx_pid"
nginx_pid=""

# --- portal_server --------------------------------------------------------------------------------

if ((!nginx_only)); then
  db="$tmp_dir/portal.db"
  cli() {
    "$cli_bin" --db "$db" --tenant "$tenant_id" --customer 1 --user 1 --role platform_admin "$@"
  }

  echo
  echo "## Seeding $db with $cli_bin"
  imported="$(cli --json --quiet import "$kb_file")" || die "import failed: $imported"
  # The import report, bare or inside an envelope's data; every article must be stored.
  "$python" -c '
import json, sys
report = json.load(sys.stdin)
report = report.get("data", report)
print("imported %d articles of %s (%d updated, %d refused)"
      % (report["imported"], sys.argv[1], report["updated"], report["failed"]))
sys.exit(1 if report["failed"] else 0)' "$kb_file" <<<"$imported" || die "import answered: $imported"

  # A fresh random password for a throwaway account. It reaches the CLI and curl through stdin, so
  # it is on no command line, and it is never printed.
  password="$("$python" -c 'import secrets; print(secrets.token_urlsafe(18) + "aA7!")')"
  username="load.bench"
  created="$("$python" -c '
import json, sys
print(json.dumps({"username": sys.argv[1], "display_name": "Load benchmark",
                  "roles": ["customer_user"], "password": sys.stdin.readline().strip()}))' \
    "$username" <<<"$password" | cli --json call users.create -)" || die "users.create failed: $created"
  user_id="$(json_field data.id <<<"$created")" || die "users.create answered: $created"
  echo "created customer_user $username (id $user_id) in tenant $tenant_id"

  # portal_server applies its default per-user rate limits unless the options name others; a load
  # test from one account would then measure 10005 (HTTP 429) answers. These are the option's
  # largest accepted values.
  cat >"$tmp_dir/options.json" <<'EOF'
{"rate_limits": {"default": {"rate_per_second": 1000000, "burst": 1000000}}}
EOF

  # Port 0: the server binds a free port itself and names it in its first line, so no other
  # process can take the port between choosing and binding it.
  "$server_bin" --db "$db" --port 0 --options "$tmp_dir/options.json" \
    >"$tmp_dir/server.out" 2>"$tmp_dir/server.err" &
  server_pid=$!
  listening=""
  for _ in $(seq 300); do
    listening="$(grep -m1 -o 'listening on http://127\.0\.0\.1:[0-9]*' "$tmp_dir/server.out" || true)"
    if [[ -n $listening ]] || ! kill -0 "$server_pid" 2>/dev/null; then break; fi
    sleep 0.1
  done
  [[ -n $listening ]] || {
    cat "$tmp_dir/server.out" "$tmp_dir/server.err" >&2
    die "portal_server did not start"
  }
  server_port="${listening##*:}"
  base="http://127.0.0.1:$server_port/api/v1/customer-portal"
  echo
  echo "portal_server: $listening"
  echo "rate limits raised for the load test: --options $(cat "$tmp_dir/options.json")"

  login="$("$python" -c '
import json, sys
print(json.dumps({"tenant_id": int(sys.argv[1]), "username": sys.argv[2],
                  "password": sys.stdin.readline().strip()}))' "$tenant_id" "$username" <<<"$password" |
    curl -s -X POST -H 'Content-Type: application/json' --data-binary @- "$base/auth/login")"
  BENCH_TOKEN="$(json_field data.access_token <<<"$login" 2>/dev/null)" ||
    die "login failed (answer code $(json_field code <<<"$login" 2>/dev/null || echo '?'))"
  export BENCH_TOKEN
  unset password
  echo "logged in as $username (the access token reaches wrk through BENCH_TOKEN and is not printed)"

  ticket="$(curl -s -X POST -H 'Content-Type: application/json' \
    -H @- "$base/tickets" \
    --data-binary '{"title": "VPN drops every morning", "description": "Created by bench/load/run.sh to poll its status.", "category": "network", "priority": 3}' \
    <<<"Authorization: Bearer $BENCH_TOKEN")"
  ticket_id="$(json_field data.id <<<"$ticket" 2>/dev/null)" || die "tickets.create answered: $ticket"
  echo "created ticket $ticket_id"

  status_url="$base/tickets/$ticket_id/status"
  search_url="$base/search?q=$("$python" -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$search_query")"
  # One call of each first: a run that measures error answers would be worthless.
  for url in "$status_url" "$search_url"; do
    answer="$(curl -s -H @- "$url" <<<"Authorization: Bearer $BENCH_TOKEN")"
    [[ $(json_field code <<<"$answer" 2>/dev/null) == 200 ]] || die "GET $url answered: $answer"
  done
  echo "search.query q=\"$search_query\": $(json_field pagination.total <<<"$answer") hits"

  run_wrk status "tickets.status" "$spec_connections" "$run_seconds" "$status_url"
  run_wrk search "search.query" "$spec_connections" "$run_seconds" "$search_url"

  best_key=status
  for connections in "${sweep_connections[@]}"; do
    run_wrk "sweep$connections" "tickets.status (sweep)" "$connections" "$run_seconds" "$status_url"
    if ((${result_rps[sweep$connections]} > ${result_rps[$best_key]})); then
      best_key="sweep$connections"
    fi
  done

  run_wrk double "tickets.status (2x load)" "$double_connections" "$double_seconds" "$status_url"

  echo
  echo "portal_server's log (stderr), last 20 lines:"
  tail -n 20 "$tmp_dir/server.err"
fi

# --- results --------------------------------------------------------------------------------------

echo
echo "## Results"
echo
echo "| target | connections | duration | req/s | p50 | p99 | errors | vs nginx |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | --- | ---: |"
printf '%s\n' "${table_rows[@]}"

if ((!nginx_only)); then
  # verdict NAME CONDITION...: prints whether the target is met.
  verdict() {
    local name="$1"
    shift
    if "$@"; then echo "- [met] $name"; else echo "- [MISSED] $name"; fi
  }
  spec_target() {
    local key="$1"
    ((result_rps[$key] >= 5000 && result_p99_us[$key] < 200000 && result_errors[$key] == 0))
  }
  beyond_target() {
    ((result_rps[status] >= 20000 && 3 * result_rps[status] >= nginx_rps))
  }
  no_errors() {
    ((result_errors[$1] == 0))
  }
  echo
  echo "Maximum throughput of tickets.status: ${result_rps[$best_key]} req/s (best of the runs above)."
  echo
  echo "Targets:"
  verdict "tickets.status at $spec_connections connections: >= 5,000 req/s, p99 < 200 ms, no errors (spec 6.2, 9.2)" spec_target status
  verdict "search.query at $spec_connections connections: >= 5,000 req/s, p99 < 200 ms, no errors (spec 6.2, 9.2)" spec_target search
  verdict "tickets.status at $spec_connections connections: >= 20,000 req/s and >= 1/3 of nginx ($nginx_rps req/s)" beyond_target
  verdict "tickets.status at $double_connections connections (2x) for ${double_seconds} s: no errors (spec 9.2)" no_errors double
fi
