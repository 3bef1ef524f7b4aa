#!/usr/bin/env bash
# portal_server end to end over plain HTTP, with real clients: curl, and ws_client for the
# WebSocket. One scenario per run, named by the first argument (ctest runs each as its own test,
# tests/server/e2e/CMakeLists.txt):
#
#   scenario       the issue's story: log in, search, ask, create a ticket with an attachment
#                  resumed after a deliberate interruption, support moves it, the customer closes
#                  it, the status pushes reach ws_client, and the customer rates it
#   errors         bad input over HTTP answers the unified envelope with the right HTTP status
#   limits         --max-body-bytes answers 413; upload chunks have their own, larger limit
#   observability  /healthz, /metrics and the OpenAPI document
#   shutdown       SIGTERM: an in-flight request completes, WebSockets close 1001, exit 0
#   rate_limit     a tiny rate_limits burst answers 429 with Retry-After
#   download       raw downloads (Accept: application/octet-stream): bytes, headers, ranges,
#                  resume, 416, 401, 404, a several-MiB document and its download count
#
# Environment: PORTAL_SERVER, SELFSERVICE_CLI, WS_CLIENT, E2E_FIXTURES (see lib.sh).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

readonly API=/api/v1/customer-portal

# url_quote TEXT: TEXT percent-encoded for a query string.
url_quote() { /usr/bin/python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$1"; }

# start_ws NAME URL TOKEN EXPECT: ws_client in the background (pid in WS_PID), its frames in
# $WORK/NAME.ws.out; returns once the "subscribed" frame is there.
start_ws() {
  local name=$1 url=$2 token=$3 expect=$4
  "$WS_CLIENT" "$url" "$token" --expect "$expect" --timeout 120 > "$WORK/$name.ws.out" 2> "$WORK/$name.ws.err" &
  WS_PID=$!
  STARTED_PIDS+=("$WS_PID")
  for _ in $(seq 600); do
    [[ -s $WORK/$name.ws.out ]] && break
    kill -0 "$WS_PID" 2>/dev/null || fail "ws_client $name ended before subscribing: $(cat "$WORK/$name.ws.err")"
    sleep 0.1
  done
  head -n 1 "$WORK/$name.ws.out" > "$WORK/$name.first.json"
  jcheck "$WORK/$name.first.json" "d['type'] == 'subscribed' and d['topic']['type'] == 'ticket.status'" \
    "the first frame of ws_client $name"
}

# patch_chunk UPLOAD_ID OFFSET FILE [CHECKSUM_HEADER]: the binary form of
# tickets.attachments.append (raw bytes at Upload-Offset); the checksum header is the chunk's own
# SHA-256 unless given.
patch_chunk() {
  local upload_id=$1 offset=$2 file=$3
  local checksum=${4:-"sha256 $(sha256sum "$file" | cut -d' ' -f1)"}
  STATUS=$(curl -sS -X PATCH -o "$BODY" -D "$HEADERS" -w '%{http_code}' "${CURL_TLS[@]}" -H "@$WORK/alice.auth" \
    -H 'Content-Type: application/octet-stream' -H "Upload-Offset: $offset" -H "Upload-Checksum: $checksum" \
    --data-binary "@$file" "$BASE$API/attachments/uploads/$upload_id") || fail "curl PATCH failed"
}

# make_png FILE [SIDE]: a valid, incompressible RGB PNG of SIDE x SIDE pixels (default 96: about
# 28 KB; 3 bytes a pixel).
make_png() {
  /usr/bin/python3 - "$1" "${2:-96}" <<'PY'
import os, struct, sys, zlib
def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
width = height = int(sys.argv[2])
rows = b"".join(b"\0" + os.urandom(width * 3) for _ in range(height))
png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
       + chunk(b"IDAT", zlib.compress(rows, 0)) + chunk(b"IEND", b""))
open(sys.argv[1], "wb").write(png)
PY
}

# create_ticket TITLE: a ticket of alice; sets TICKET_ID.
create_ticket() {
  call POST "$API/tickets" "$WORK/alice.auth" \
    "{\"title\": \"$1\", \"description\": \"The VPN client refuses the new password.\", \"category\": \"network\", \"priority\": 2}"
  expect_status 200 "tickets.create"
  TICKET_ID=$(jget "$BODY" "d['data']['id']")
}

# begin_upload FILE [FILENAME]: begins an attachment upload of FILE (a PNG) on TICKET_ID, named
# FILENAME (default screen.png); sets UPLOAD_ID.
begin_upload() {
  local size sha
  size=$(stat -c %s "$1")
  sha=$(sha256sum "$1" | cut -d' ' -f1)
  call POST "$API/tickets/$TICKET_ID/attachments" "$WORK/alice.auth" \
    "{\"filename\": \"${2:-screen.png}\", \"size\": $size, \"content_type\": \"image/png\", \"sha256\": \"$sha\"}"
  expect_status 200 "tickets.attachments.begin"
  jcheck "$BODY" "d['data']['offset'] == 0 and d['data']['status'] == 'uploading'" "a new upload"
  UPLOAD_ID=$(jget "$BODY" "d['data']['upload_id']")
}

scenario() {
  seed "$WORK/portal.db"
  start_server main --db "$WORK/portal.db"
  login alice "$ALICE_PASSWORD"
  login support "$SUPPORT_PASSWORD"

  note "search, in English and in Chinese"
  call GET "$API/search?q=$(url_quote 'reset VPN password')&lang=en" "$WORK/alice.auth"
  expect_status 200 "search.query en"
  jcheck "$BODY" "d['data']['hits'][0]['external_id'] == 'e2e-en-vpn' and not d['data']['suggest_ticket']" \
    "the English search"
  call GET "$API/search?q=$(url_quote '打印机无法连接')&size=5" "$WORK/alice.auth"
  expect_status 200 "search.query zh"
  jcheck "$BODY" "d['data']['hits'][0]['external_id'] == 'e2e-zh-printer' and d['pagination']['size'] == 5" \
    "the Chinese search (size typed as an integer from the query string)"

  note "ask the embedded answerer"
  call POST "$API/ai-chat" "$WORK/alice.auth" '{"question": "How do I reset my forgotten VPN password?"}'
  expect_status 200 "ai.chat"
  jcheck "$BODY" "d['data']['mode'] == 'answer' and 'VPN' in d['data']['answer']
                  and d['data']['related_articles'][0]['external_id'] == 'e2e-en-vpn'" "the AI answer"
  local session_id
  session_id=$(jget "$BODY" "d['data']['session_id']")

  note "create a ticket that escalates the conversation"
  call POST "$API/tickets" "$WORK/alice.auth" \
    "{\"title\": \"VPN refuses the new password\", \"description\": \"After the reset the VPN client still says the password is wrong.\",
      \"category\": \"network\", \"priority\": 2, \"session_id\": \"$session_id\", \"idempotency_key\": \"e2e-form-1\"}"
  expect_status 200 "tickets.create"
  jcheck "$BODY" "d['data']['status'] == 'new' and d['data']['session_id'] == '$session_id'" "the new ticket"
  TICKET_ID=$(jget "$BODY" "d['data']['id']")

  note "ws_client subscribes: by header to this ticket, by ?access_token= to all of alice's"
  start_ws ticket "ws://127.0.0.1:$PORT$API/ws?ticket_id=$TICKET_ID" "$(token alice)" 4
  local ws_ticket=$WS_PID
  jcheck "$WORK/ticket.first.json" "d['topic']['ticket_id'] == $TICKET_ID" "the topic of the ticket's subscription"
  start_ws all "ws://127.0.0.1:$PORT$API/ws?access_token=$(token alice)" "" 4
  local ws_all=$WS_PID

  note "an attachment upload, interrupted and resumed"
  make_png "$WORK/screen.png"
  local size sha first=8192
  size=$(stat -c %s "$WORK/screen.png")
  sha=$(sha256sum "$WORK/screen.png" | cut -d' ' -f1)
  begin_upload "$WORK/screen.png"
  head -c "$first" "$WORK/screen.png" > "$WORK/chunk1"
  tail -c +"$((first + 1))" "$WORK/screen.png" > "$WORK/rest"
  patch_chunk "$UPLOAD_ID" 0 "$WORK/chunk1"
  expect_status 200 "the first chunk"
  jcheck "$BODY" "d['data']['offset'] == $first" "the offset after the first chunk"

  # The interruption: a PATCH announcing the rest, whose connection closes after half of it.
  local rest_size=$((size - first)) fd
  exec {fd}<>"/dev/tcp/127.0.0.1/$PORT"
  {
    printf 'PATCH %s/attachments/uploads/%s HTTP/1.1\r\nHost: 127.0.0.1:%s\r\n' "$API" "$UPLOAD_ID" "$PORT"
    tr -d '\n' < "$WORK/alice.auth"
    printf '\r\nContent-Type: application/octet-stream\r\nUpload-Offset: %s\r\nContent-Length: %s\r\n\r\n' \
      "$first" "$rest_size"
    head -c "$((rest_size / 2))" "$WORK/rest"
  } >&"$fd"
  exec {fd}>&-

  call GET "$API/attachments/uploads/$UPLOAD_ID" "$WORK/alice.auth"
  expect_status 200 "tickets.attachments.status"
  jcheck "$BODY" "d['data']['offset'] == $first and d['data']['status'] == 'uploading'" \
    "the upload after the interruption resumes at the first chunk's end"
  patch_chunk "$UPLOAD_ID" "$first" "$WORK/rest"
  expect_status 200 "the resumed chunk"
  jcheck "$BODY" "d['data']['offset'] == $size" "the offset after the rest"
  call POST "$API/attachments/uploads/$UPLOAD_ID/complete" "$WORK/alice.auth"
  expect_status 200 "tickets.attachments.complete"
  local attachment_id
  attachment_id=$(jget "$BODY" "d['data']['attachment']['id']")
  call GET "$API/tickets/$TICKET_ID/attachments" "$WORK/alice.auth"
  expect_status 200 "tickets.attachments.list"
  jcheck "$BODY" "len(d['data']) == 1 and d['data'][0]['id'] == $attachment_id and d['data'][0]['sha256'] == '$sha'
                  and d['data'][0]['size_bytes'] == $size and d['data'][0]['file_name'] == 'screen.png'" \
    "the ticket's attachments"
  call GET "$API/attachments/$attachment_id?include_data=true" "$WORK/alice.auth"
  expect_status 200 "tickets.attachments.get"
  jcheck "$BODY" "__import__('hashlib').sha256(__import__('base64').b64decode(d['data']['data_base64'])).hexdigest() == '$sha'" \
    "the stored bytes"

  note "support moves the ticket; alice may not; alice closes it"
  local to
  for to in open in_progress; do
    call POST "$API/tickets/$TICKET_ID/transitions" "$WORK/support.auth" "{\"to\": \"$to\"}"
    expect_status 200 "support moves the ticket to $to"
  done
  call POST "$API/tickets/$TICKET_ID/transitions" "$WORK/alice.auth" '{"to": "resolved"}'
  expect_status 403 "a customer resolving its own ticket"
  check_envelope "$BODY" 10003
  call POST "$API/tickets/$TICKET_ID/transitions" "$WORK/support.auth" '{"to": "resolved", "comment": "Password sync fixed"}'
  expect_status 200 "support resolves the ticket"
  call POST "$API/tickets/$TICKET_ID/transitions" "$WORK/alice.auth" '{"to": "closed"}'
  expect_status 200 "alice closes the ticket"
  jcheck "$BODY" "d['data']['status'] == 'closed' and d['data']['closed_at']" "the closed ticket"

  note "ws_client received the four status changes"
  local name pid status
  for name in ticket all; do
    [[ $name == ticket ]] && pid=$ws_ticket || pid=$ws_all
    status=0
    wait "$pid" || status=$?
    [[ $status == 0 ]] || fail "ws_client $name exited $status: $(cat "$WORK/$name.ws.err")"
    /usr/bin/python3 - "$WORK/$name.ws.out" "$TICKET_ID" <<'PY' || fail "the frames of ws_client $name: $(cat "$WORK/$name.ws.out")"
import json, sys
frames = [json.loads(line) for line in open(sys.argv[1], encoding="utf-8")]
ticket = int(sys.argv[2])
events = frames[1:]
assert frames[0]["type"] == "subscribed"
assert [(e["from"], e["to"]) for e in events] == [
    ("new", "open"), ("open", "in_progress"), ("in_progress", "resolved"), ("resolved", "closed")], events
assert all(e["type"] == "ticket.status" and e["ticket_id"] == ticket and e["tenant_id"] == 1 for e in events)
assert "contact_email" not in json.dumps(events)
PY
  done

  note "alice rates the ticket"
  call POST "$API/feedback" "$WORK/alice.auth" \
    "{\"feedback_type\": \"service\", \"related_type\": \"ticket\", \"related_id\": \"$TICKET_ID\", \"rating\": 5,
      \"ratings\": {\"resolution\": 5, \"speed\": 4}, \"feedback_content\": \"Solved the same day, thank you.\"}"
  expect_status 200 "feedback.submit"
  jcheck "$BODY" "d['data']['rating'] == 5 and d['data']['related_type'] == 'ticket' and d['data']['related_id'] == '$TICKET_ID'
                  and d['data']['state'] == 'pending'" "the rating"
  call GET "$API/feedback?related_type=ticket" "$WORK/alice.auth"
  expect_status 200 "feedback.list"
  jcheck "$BODY" "[f['rating'] for f in d['data'] if f['related_id'] == '$TICKET_ID'] == [5]" "the listed rating"

  stop_server
}

errors() {
  seed "$WORK/portal.db"
  start_server main --db "$WORK/portal.db"
  login alice "$ALICE_PASSWORD"
  login support "$SUPPORT_PASSWORD"

  note "no token: 401 with WWW-Authenticate"
  call GET "$API/tickets"
  expect_status 401 "no token"
  check_envelope "$BODY" 10002
  [[ $(header WWW-Authenticate) == Bearer* ]] || fail "no WWW-Authenticate: Bearer on a 401"

  note "a bad token: 401"
  printf 'Authorization: Bearer not.a.token\n' > "$WORK/bad.auth"
  call GET "$API/tickets" "$WORK/bad.auth"
  expect_status 401 "a bad token"
  check_envelope "$BODY" 10002

  note "an unknown route: 404"
  call GET "$API/no-such-thing" "$WORK/alice.auth"
  expect_status 404 "an unknown route"
  check_envelope "$BODY" 10004
  call GET /elsewhere
  expect_status 404 "a path outside the API"
  check_envelope "$BODY" 10004

  note "a wrong verb: 405 with Allow"
  call DELETE "$API/search" "$WORK/alice.auth"
  expect_status 405 "DELETE /search"
  check_envelope "$BODY" 10004
  [[ $(header Allow) == GET ]] || fail "Allow of /search: '$(header Allow)'"

  note "malformed JSON: 400 10001"
  call POST "$API/tickets" "$WORK/alice.auth" '{"title": "half'
  expect_status 400 "a malformed body"
  check_envelope "$BODY" 10001
  jcheck "$BODY" "d['errors'][0]['field'] == 'body'" "the field of a malformed body"
  call POST "$API/tickets" "$WORK/alice.auth" '["an", "array"]'
  expect_status 400 "a body that is not an object"
  check_envelope "$BODY" 10001

  note "knowledge.import with a server path: 403, even for a platform_admin"
  call POST "$API/knowledge/import" "$WORK/support.auth" '{"path": "/etc/passwd"}'
  expect_status 403 "knowledge.import {path}"
  check_envelope "$BODY" 10003

  note "a field the method refuses: 400 naming it"
  call POST "$API/tickets" "$WORK/alice.auth" '{"title": "", "description": "x", "category": "network", "priority": 9}'
  expect_status 400 "an invalid ticket"
  jcheck "$BODY" "{e['field'] for e in d['errors']} >= {'title', 'priority'}" "the refused fields"

  note "uploads: bad Upload-Offset, stale offset, bad and wrong Upload-Checksum"
  create_ticket "Upload errors"
  make_png "$WORK/screen.png"
  begin_upload "$WORK/screen.png"
  head -c 4096 "$WORK/screen.png" > "$WORK/chunk1"
  patch_chunk "$UPLOAD_ID" abc "$WORK/chunk1"
  expect_status 400 "Upload-Offset: abc"
  check_envelope "$BODY" 10001
  jcheck "$BODY" "d['errors'][0]['field'] == 'offset' and d['errors'][0]['code'] == 'FIELD_INVALID'" "the bad offset"
  patch_chunk "$UPLOAD_ID" -5 "$WORK/chunk1"
  expect_status 400 "Upload-Offset: -5"
  check_envelope "$BODY" 10001
  patch_chunk "$UPLOAD_ID" 100 "$WORK/chunk1"
  expect_status 409 "an offset that is not the committed one"
  check_envelope "$BODY" 10006
  jcheck "$BODY" "d['errors'][0]['code'] == 'OFFSET_MISMATCH'" "the stale offset"
  patch_chunk "$UPLOAD_ID" 0 "$WORK/chunk1" "md5 abc"
  expect_status 400 "a malformed Upload-Checksum"
  check_envelope "$BODY" 10001
  jcheck "$BODY" "d['errors'][0]['field'] == 'chunk_sha256'" "the malformed checksum"
  patch_chunk "$UPLOAD_ID" 0 "$WORK/chunk1" "sha256 $(printf other | sha256sum | cut -d' ' -f1)"
  expect_status 500 "a wrong Upload-Checksum"
  check_envelope "$BODY" 20003
  jcheck "$BODY" "d['errors'][0]['code'] == 'CHECKSUM_MISMATCH'" "the wrong checksum"
  call GET "$API/attachments/uploads/$UPLOAD_ID" "$WORK/alice.auth"
  jcheck "$BODY" "d['data']['offset'] == 0" "the offset after refused chunks"
  patch_chunk "$UPLOAD_ID" 0 "$WORK/chunk1"
  expect_status 200 "the same chunk, right this time"

  note "the WebSocket refuses a bad token"
  local status=0
  "$WS_CLIENT" "ws://127.0.0.1:$PORT$API/ws" not.a.token --timeout 60 > "$WORK/ws.out" 2> "$WORK/ws.err" || status=$?
  [[ $status == 1 && ! -s $WORK/ws.out ]] || fail "ws_client with a bad token exited $status: $(cat "$WORK/ws.out")"
  grep -q 'HTTP 401' "$WORK/ws.err" || fail "ws_client with a bad token: $(cat "$WORK/ws.err")"
  status=0
  "$WS_CLIENT" "ws://127.0.0.1:$PORT$API/ws?ticket_id=abc" "$(token alice)" --timeout 60 > "$WORK/ws.out" 2> "$WORK/ws.err" || status=$?
  [[ $status == 1 ]] && grep -q 'HTTP 400' "$WORK/ws.err" || fail "ws_client with ticket_id=abc: $(cat "$WORK/ws.err")"

  stop_server
}

limits() {
  seed "$WORK/portal.db"
  start_server main --db "$WORK/portal.db" --max-body-bytes 4096
  login alice "$ALICE_PASSWORD"

  note "a JSON body over --max-body-bytes: 413, with Content-Length or chunked"
  /usr/bin/python3 -c 'import json; print(json.dumps({"question": "x" * 5000}))' > "$WORK/big.json"
  local encoding
  for encoding in Content-Length chunked; do
    local extra=()
    [[ $encoding == chunked ]] && extra=(-H 'Transfer-Encoding: chunked')
    STATUS=$(curl -sS -o "$BODY" -w '%{http_code}' -X POST -H "@$WORK/alice.auth" -H 'Content-Type: application/json' \
      "${extra[@]}" --data-binary "@$WORK/big.json" "$BASE$API/ai-chat") || fail "curl failed"
    expect_status 413 "a 5 KB body ($encoding) over a 4 KB limit"
    check_envelope "$BODY" 10001
    jcheck "$BODY" "d['errors'][0]['field'] == 'body' and '{' not in d['errors'][0]['message']" \
      "the field error of a body too long"
  done
  call POST "$API/ai-chat" "$WORK/alice.auth" '{"question": "How do I reset my VPN password?"}'
  expect_status 200 "a body under the limit"

  note "a raw upload chunk over 1 MiB, under the 16 MiB chunk limit, is accepted"
  create_ticket "A large screenshot"
  make_png "$WORK/large.png" 900
  begin_upload "$WORK/large.png"
  head -c $((2 * 1024 * 1024)) "$WORK/large.png" > "$WORK/chunk1"
  patch_chunk "$UPLOAD_ID" 0 "$WORK/chunk1"
  expect_status 200 "a 2 MiB chunk"
  jcheck "$BODY" "d['data']['offset'] == 2 * 1024 * 1024" "the offset after a 2 MiB chunk"

  stop_server
}

observability() {
  seed "$WORK/portal.db"
  start_server main --db "$WORK/portal.db"
  login alice "$ALICE_PASSWORD"

  note "/healthz"
  call GET /healthz
  expect_status 200 "/healthz"
  jcheck "$BODY" "d['status'] == 'up' and d['components']['database']['status'] == 'up'
                  and d['components']['outbox']['pending'] >= 0" "the health"

  note "/metrics counts the methods used"
  call GET "$API/search?q=printer" "$WORK/alice.auth"
  expect_status 200 "search.query"
  call GET "$API/tickets/999999" "$WORK/alice.auth"
  expect_status 404 "a ticket that does not exist"
  call GET /metrics
  expect_status 200 "/metrics"
  [[ $(header Content-Type) == text/plain* ]] || fail "the Content-Type of /metrics: $(header Content-Type)"
  local line
  for line in 'portal_http_requests_total{method="auth.login",code="200"} 1' \
              'portal_http_requests_total{method="search.query",code="200"} 1' \
              'portal_http_requests_total{method="tickets.get",code="404"} 1' \
              'selfservice_database_up 1'; do
    grep -qxF "$line" "$BODY" || fail "no line '$line' in /metrics: $(grep portal_http_requests_total "$BODY")"
  done
  grep -q '^portal_http_request_duration_seconds_bucket{method="auth.login",le="+Inf"} 1$' "$BODY" \
    || fail "no duration histogram of auth.login"

  note "the OpenAPI document"
  call GET "$API/openapi.json"
  expect_status 200 "openapi.json"
  jcheck "$BODY" "d['openapi'].startswith('3.') and any(p.endswith('/tickets/{id}/transitions') for p in d['paths'])
                  and 'post' in [m for p, ms in d['paths'].items() if p.endswith('/auth/login') for m in ms]" \
    "the OpenAPI document"

  stop_server
}

shutdown() {
  seed "$WORK/portal.db"
  start_server main --db "$WORK/portal.db"
  login alice "$ALICE_PASSWORD"
  start_ws live "ws://127.0.0.1:$PORT$API/ws" "$(token alice)" 1
  local ws_live=$WS_PID

  # An in-flight sign-in: its headers and all of its body but the last byte are sent before
  # SIGTERM, the last byte after it. The round trip of /healthz on another connection comes after
  # the server has read those headers (they were sent first), so the request is in flight, not
  # waiting, when the signal arrives.
  local body fd
  body="{\"tenant_id\": 1, \"username\": \"alice\", \"password\": \"$ALICE_PASSWORD\"}"
  exec {fd}<>"/dev/tcp/127.0.0.1/$PORT"
  printf 'POST %s/auth/login HTTP/1.1\r\nHost: 127.0.0.1:%s\r\nContent-Type: application/json\r\nContent-Length: %s\r\n\r\n%s' \
    "$API" "$PORT" "${#body}" "${body%?}" >&"$fd"
  call GET /healthz
  expect_status 200 "/healthz before the signal"

  note "SIGTERM with a request in flight and a WebSocket open"
  kill -TERM "$SERVER_PID"
  printf '%s' "${body: -1}" >&"$fd"
  timeout 60 cat <&"$fd" > "$WORK/in-flight.http" || true
  exec {fd}>&-
  head -n 1 "$WORK/in-flight.http" | grep -q '^HTTP/1.1 200' || fail "the in-flight sign-in: $(head -c 600 "$WORK/in-flight.http")"
  grep -qi '^Connection: close' "$WORK/in-flight.http" || fail "the in-flight answer does not close the connection"
  sed '1,/^\r$/d' "$WORK/in-flight.http" > "$WORK/in-flight.json"
  jcheck "$WORK/in-flight.json" "d['code'] == 200 and d['data']['access_token']" "the in-flight sign-in's body"

  local status=0
  wait "$SERVER_PID" || status=$?
  [[ $status == 0 ]] || fail "portal_server exited $status after SIGTERM"
  status=0
  wait "$ws_live" || status=$?
  [[ $status == 1 ]] && grep -q 'code 1001' "$WORK/live.ws.err" \
    || fail "ws_client after SIGTERM exited $status: $(cat "$WORK/live.ws.err")"
  curl -sS -o /dev/null "$BASE/healthz" 2>/dev/null && fail "the server still answers after its exit"
  return 0
}

rate_limit() {
  seed "$WORK/portal.db"
  # Reads get a burst of 3 and refill once in 1000 s; everything else is generous.
  cat > "$WORK/options.json" <<'JSON'
{"rate_limits": {"default": {"rate_per_second": 100, "burst": 100},
                 "classes": {"read": {"rate_per_second": 0.001, "burst": 3}}}}
JSON
  start_server limited --db "$WORK/portal.db" --options "$WORK/options.json"
  login alice "$ALICE_PASSWORD"
  local i
  for i in 1 2 3; do
    call GET "$API/tickets" "$WORK/alice.auth"
    expect_status 200 "read $i of a burst of 3"
  done
  call GET "$API/tickets" "$WORK/alice.auth"
  expect_status 429 "the fourth read of a burst of 3"
  check_envelope "$BODY" 10005
  local retry
  retry=$(header Retry-After)
  [[ $retry =~ ^[0-9]+$ && $retry -ge 1 ]] || fail "Retry-After '$retry'"
  jcheck "$BODY" "d['retry_after'] == $retry" "retry_after of the envelope and Retry-After"
  call GET "$API/search?q=printer" "$WORK/alice.auth"
  expect_status 200 "another class keeps its own bucket"
  stop_server
}

# raw OUT PATH AUTH_FILE|- [CURL_ARGS...]: the raw form of a download method (Accept:
# application/octet-stream) into OUT; sets STATUS and HEADERS.
raw() {
  local out=$1 path=$2 auth=$3
  shift 3
  local args=(-sS -o "$out" -D "$HEADERS" -w '%{http_code}' "${CURL_TLS[@]}" -H 'Accept: application/octet-stream')
  [[ $auth != - ]] && args+=(-H "@$auth")
  STATUS=$(curl "${args[@]}" "$@" "$BASE$path") || fail "curl raw $path failed"
}

# same FILE_A FILE_B WHAT: fails unless the two files hold the same bytes.
same() { cmp -s "$1" "$2" || fail "$3: the bytes differ ($(stat -c %s "$1") and $(stat -c %s "$2") bytes)"; }

# download_count ID: the download_count of document ID, as alice sees it.
download_count() {
  call GET "$API/documents/$1" "$WORK/alice.auth"
  expect_status 200 "documents.get $1"
  jget "$BODY" "d['data']['download_count']"
}

# slow_download ID NAME RATE: alice downloads document ID raw at RATE (curl --limit-rate) in the
# background into $WORK/NAME.got (pid in SLOW_PID); returns once its first bytes arrived.
slow_download() {
  curl -sS -o "$WORK/$2.got" --limit-rate "$3" -H 'Accept: application/octet-stream' -H "@$WORK/alice.auth" \
    "$BASE$API/documents/$1/download" 2> "$WORK/$2.err" &
  SLOW_PID=$!
  STARTED_PIDS+=("$SLOW_PID")
  for _ in $(seq 600); do
    [[ -s $WORK/$2.got ]] && return 0
    kill -0 "$SLOW_PID" 2>/dev/null || break
    sleep 0.1
  done
  fail "the slow download $2 never started: $(cat "$WORK/$2.err")"
}

# is_prefix PART WHOLE WHAT: fails unless the file PART is a prefix of the file WHOLE.
is_prefix() {
  head -c "$(stat -c %s "$1")" "$2" | cmp -s - "$1" || fail "$3: not a prefix of the file"
}

download() {
  seed "$WORK/portal.db"
  "$SELFSERVICE_CLI" --db "$WORK/portal.db" --quiet call users.create \
    "{\"username\": \"bob\", \"password\": \"$ALICE_PASSWORD\", \"customer_id\": 2, \"roles\": [\"customer_user\"]}" \
    > "$WORK/seed.out" 2>&1 || fail "users.create bob: $(cat "$WORK/seed.out")"
  start_server main --db "$WORK/portal.db"
  login alice "$ALICE_PASSWORD"
  login bob "$ALICE_PASSWORD"
  login support "$SUPPORT_PASSWORD"

  note "an attachment with a Chinese name"
  local name='屏幕截图 1.png' size sha attachment_id
  create_ticket "Raw downloads"
  make_png "$WORK/screen.png"
  size=$(stat -c %s "$WORK/screen.png")
  sha=$(sha256sum "$WORK/screen.png" | cut -d' ' -f1)
  begin_upload "$WORK/screen.png" "$name"
  patch_chunk "$UPLOAD_ID" 0 "$WORK/screen.png"
  expect_status 200 "the whole file in one chunk"
  call POST "$API/attachments/uploads/$UPLOAD_ID/complete" "$WORK/alice.auth"
  expect_status 200 "tickets.attachments.complete"
  attachment_id=$(jget "$BODY" "d['data']['attachment']['id']")
  local path="$API/attachments/$attachment_id"

  note "the whole file: bytes and headers"
  raw "$WORK/got.png" "$path" "$WORK/alice.auth"
  expect_status 200 "the raw attachment"
  same "$WORK/screen.png" "$WORK/got.png" "the raw attachment"
  [[ $(header Content-Type) == image/png ]] || fail "Content-Type '$(header Content-Type)'"
  [[ $(header Content-Length) == "$size" ]] || fail "Content-Length '$(header Content-Length)', expected $size"
  [[ $(header ETag) == "\"$sha\"" ]] || fail "ETag '$(header ETag)', expected the SHA-256 $sha"
  [[ $(header Accept-Ranges) == bytes ]] || fail "Accept-Ranges '$(header Accept-Ranges)'"
  [[ $(header X-Content-Type-Options) == nosniff ]] || fail "X-Content-Type-Options '$(header X-Content-Type-Options)'"
  [[ $(header Cache-Control) == no-store ]] || fail "Cache-Control '$(header Cache-Control)'"
  [[ -z $(header Content-Range) ]] || fail "a Content-Range on a 200"
  header Content-Disposition > "$WORK/disposition"
  /usr/bin/python3 - "$WORK/disposition" "$name" <<'PY' || fail "Content-Disposition: $(cat "$WORK/disposition")"
import re, sys, urllib.parse
value = open(sys.argv[1], encoding="ascii").read().strip()  # the header is ASCII only
fallback = re.search(r'filename="([^"]*)"', value).group(1)
encoded = re.search(r"filename\*=UTF-8''(\S+)", value).group(1)
assert value.startswith("attachment;"), value
assert urllib.parse.unquote(encoded, encoding="utf-8", errors="strict") == sys.argv[2], encoded
assert fallback == "____ 1.png", fallback
PY

  note "the JSON form is unchanged: no Accept, or a wildcard"
  call GET "$path" "$WORK/alice.auth"
  expect_status 200 "the JSON form"
  [[ $(header Content-Type) == application/json* ]] || fail "the JSON form's Content-Type '$(header Content-Type)'"
  jcheck "$BODY" "d['code'] == 200 and d['data']['id'] == $attachment_id and d['data']['sha256'] == '$sha'
                  and d['data']['file_name'] == '$name' and d['data']['data_base64'] is None" "the JSON form"
  STATUS=$(curl -sS -o "$BODY" -D "$HEADERS" -w '%{http_code}' -H "@$WORK/alice.auth" -H 'Accept: */*' -r 100- \
    "$BASE$path") || fail "curl with Accept: */*"
  expect_status 200 "Accept: */* with a Range"
  jcheck "$BODY" "d['code'] == 200 and d['data']['id'] == $attachment_id" "the JSON form under Accept: */*"

  note "ranges: 206 with Content-Range"
  raw "$WORK/tail.png" "$path" "$WORK/alice.auth" -r 100-
  expect_status 206 "bytes=100-"
  [[ $(header Content-Range) == "bytes 100-$((size - 1))/$size" ]] || fail "Content-Range '$(header Content-Range)'"
  [[ $(header Content-Length) == $((size - 100)) ]] || fail "the Content-Length of bytes=100-: $(header Content-Length)"
  tail -c +101 "$WORK/screen.png" > "$WORK/expected-tail"
  same "$WORK/expected-tail" "$WORK/tail.png" "bytes=100-"
  raw "$WORK/middle.png" "$path" "$WORK/alice.auth" -r 100-199
  expect_status 206 "bytes=100-199"
  [[ $(header Content-Range) == "bytes 100-199/$size" ]] || fail "Content-Range '$(header Content-Range)'"
  head -c 200 "$WORK/screen.png" | tail -c 100 > "$WORK/expected-middle"
  same "$WORK/expected-middle" "$WORK/middle.png" "bytes=100-199"

  note "a cut download resumed with curl -C -"
  head -c 5000 "$WORK/screen.png" > "$WORK/resumed.png"
  raw "$WORK/resumed.png" "$path" "$WORK/alice.auth" -C -
  expect_status 206 "the resume"
  [[ $(header Content-Range) == "bytes 5000-$((size - 1))/$size" ]] || fail "the resume's Content-Range '$(header Content-Range)'"
  same "$WORK/screen.png" "$WORK/resumed.png" "the resumed file"

  note "Ranges the server does not support: 200 and the whole file"
  local range
  for range in 'bytes=0-9,20-29' 'bytes=-100' 'items=0-9' 'bytes=9-5'; do
    raw "$WORK/whole.png" "$path" "$WORK/alice.auth" -H "Range: $range"
    expect_status 200 "Range: $range"
    same "$WORK/screen.png" "$WORK/whole.png" "Range: $range"
  done
  note "If-Range: the current ETag keeps the range, another one gets the whole file"
  raw "$WORK/tail.png" "$path" "$WORK/alice.auth" -r 100- -H "If-Range: \"$sha\""
  expect_status 206 "If-Range with the current ETag"
  same "$WORK/expected-tail" "$WORK/tail.png" "If-Range with the current ETag"
  raw "$WORK/whole.png" "$path" "$WORK/alice.auth" -r 100- -H 'If-Range: "0000"'
  expect_status 200 "If-Range with another ETag"
  same "$WORK/screen.png" "$WORK/whole.png" "If-Range with another ETag"

  note "a range past the end: 416; no token: 401; another customer's attachment: 404"
  raw "$BODY" "$path" "$WORK/alice.auth" -r "$size-"
  expect_status 416 "a range past the end"
  check_envelope "$BODY" 10001
  jcheck "$BODY" "d['errors'][0]['field'] == 'offset' and d['errors'][0]['code'] == 'OUT_OF_RANGE'" "the 416 envelope"
  raw "$BODY" "$path" -
  expect_status 401 "no token"
  check_envelope "$BODY" 10002
  [[ $(header WWW-Authenticate) == Bearer* ]] || fail "no WWW-Authenticate: Bearer on a raw 401"
  raw "$BODY" "$path" "$WORK/bob.auth"
  expect_status 404 "another customer's attachment"
  check_envelope "$BODY" 10004
  raw "$BODY" "$API/attachments/999999" "$WORK/alice.auth"
  expect_status 404 "an attachment that does not exist"
  check_envelope "$BODY" 10004

  note "a several-MiB document, streamed, counted once per whole download"
  local doc_name='运维手册.png' doc_size doc_sha document_id
  # About 14.5 MB: more than the kernel's socket buffers hold, so a slow client keeps the server
  # reading the file while it downloads (the cut below).
  make_png "$WORK/manual.png" 2200
  doc_size=$(stat -c %s "$WORK/manual.png")
  doc_sha=$(sha256sum "$WORK/manual.png" | cut -d' ' -f1)
  call POST "$API/documents/uploads" "$WORK/support.auth" \
    "{\"filename\": \"$doc_name\", \"size\": $doc_size, \"content_type\": \"image/png\", \"sha256\": \"$doc_sha\"}"
  expect_status 200 "documents.uploads.begin"
  UPLOAD_ID=$(jget "$BODY" "d['data']['upload_id']")
  STATUS=$(curl -sS -X PATCH -o "$BODY" -w '%{http_code}' -H "@$WORK/support.auth" -H 'Content-Type: application/octet-stream' \
    -H 'Upload-Offset: 0' --data-binary "@$WORK/manual.png" "$BASE$API/attachments/uploads/$UPLOAD_ID") || fail "curl PATCH"
  expect_status 200 "the document's bytes"
  call POST "$API/attachments/uploads/$UPLOAD_ID/complete" "$WORK/support.auth"
  expect_status 200 "the document upload's completion"
  call POST "$API/documents" "$WORK/support.auth" "{\"title\": \"Operations manual\", \"upload_id\": \"$UPLOAD_ID\"}"
  expect_status 200 "documents.publish"
  document_id=$(jget "$BODY" "d['data']['id']")
  [[ $(download_count "$document_id") == 0 ]] || fail "a new document's download_count"

  raw "$WORK/manual.got" "$API/documents/$document_id/download" "$WORK/alice.auth"
  expect_status 200 "the raw document"
  [[ $(sha256sum < "$WORK/manual.got" | cut -d' ' -f1) == "$doc_sha" ]] || fail "the SHA-256 of the streamed document"
  [[ $(header Content-Length) == "$doc_size" && $(header ETag) == "\"$doc_sha\"" ]] \
    || fail "the document's headers: $(tr -d '\r' < "$HEADERS")"
  [[ $(download_count "$document_id") == 1 ]] || fail "download_count after a whole download"

  head -c $((doc_size / 3)) "$WORK/manual.png" > "$WORK/manual.part"
  raw "$WORK/manual.part" "$API/documents/$document_id/download" "$WORK/alice.auth" -C -
  expect_status 206 "the document's resume"
  same "$WORK/manual.png" "$WORK/manual.part" "the resumed document"
  [[ $(download_count "$document_id") == 1 ]] || fail "download_count after a ranged resume"

  note "SIGTERM with a slow download in flight: the server exits 0, the client has the file or a prefix"
  slow_download "$document_id" shutdown 256k
  stop_server
  local curl_status=0
  wait "$SLOW_PID" || curl_status=$?
  if [[ $curl_status == 0 ]]; then
    same "$WORK/manual.png" "$WORK/shutdown.got" "the slow download finished within the grace period"
  else
    is_prefix "$WORK/shutdown.got" "$WORK/manual.png" "the slow download cut by the shutdown"
  fi

  note "the file damaged while it streams: the body is cut short, the server logs it and goes on"
  start_server again --db "$WORK/portal.db"
  login alice "$ALICE_PASSWORD"
  slow_download "$document_id" damaged 1M
  local blob
  blob=$(find "$WORK/portal.db.blobs" -type f -size "${doc_size}c" | head -n 1)
  [[ -n $blob ]] || fail "no blob of $doc_size bytes under $WORK/portal.db.blobs"
  truncate -s 0 "$blob"
  curl_status=0
  wait "$SLOW_PID" || curl_status=$?
  [[ $curl_status == 18 ]] || fail "curl of the damaged file exited $curl_status (18: a partial body): $(cat "$WORK/damaged.err")"
  is_prefix "$WORK/damaged.got" "$WORK/manual.png" "the cut body"
  grep -q 'documents.download: download cut after' "$WORK/again.server.err" \
    || fail "the server did not log the cut download: $(cat "$WORK/again.server.err")"
  call GET /healthz
  expect_status 200 "/healthz after a cut download"
  stop_server
}

case "${1:-}" in
  scenario | errors | limits | observability | shutdown | rate_limit | download) "$1" ;;
  *)
    echo "usage: e2e_test.sh scenario|errors|limits|observability|shutdown|rate_limit|download" >&2
    exit 2
    ;;
esac
echo "PASS: $1"
