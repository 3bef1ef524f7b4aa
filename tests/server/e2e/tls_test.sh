#!/usr/bin/env bash
# portal_server over TLS, with a self-signed certificate made for this run: HTTPS with curl
# (TLS 1.2 and 1.3 accepted, 1.1 refused), WSS with ws_client, and a missing key file refused at
# start. Environment: PORTAL_SERVER, SELFSERVICE_CLI, WS_CLIENT, E2E_FIXTURES (see lib.sh).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

readonly API=/api/v1/customer-portal

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=localhost \
  -addext subjectAltName=DNS:localhost,IP:127.0.0.1 \
  -keyout "$WORK/key.pem" -out "$WORK/cert.pem" 2> "$WORK/openssl.err" || fail "openssl req: $(cat "$WORK/openssl.err")"

note "a missing key file: exit 1 with a message"
status=0
"$PORTAL_SERVER" --db "$WORK/other.db" --port 0 --tls-cert "$WORK/cert.pem" --tls-key "$WORK/missing.pem" \
  > "$WORK/nokey.out" 2> "$WORK/nokey.err" || status=$?
[[ $status == 1 ]] || fail "portal_server without its key file exited $status"
grep -q 'private key' "$WORK/nokey.err" || fail "no message about the key: $(cat "$WORK/nokey.err")"
[[ ! -s $WORK/nokey.out ]] || fail "portal_server without its key file printed: $(cat "$WORK/nokey.out")"

note "a certificate without its key: exit 1"
status=0
"$PORTAL_SERVER" --db "$WORK/other.db" --port 0 --tls-cert "$WORK/cert.pem" > /dev/null 2> "$WORK/halfkey.err" || status=$?
[[ $status == 1 ]] && grep -q 'both' "$WORK/halfkey.err" || fail "--tls-cert alone exited $status: $(cat "$WORK/halfkey.err")"

seed "$WORK/portal.db"
start_server tls --db "$WORK/portal.db" --tls-cert "$WORK/cert.pem" --tls-key "$WORK/key.pem"
[[ $BASE == https://* ]] || fail "the TLS server announced $BASE"
CURL_TLS=(--cacert "$WORK/cert.pem")

note "HTTPS: sign in and call"
login alice "$ALICE_PASSWORD"
call GET "$API/search?q=printer&lang=en" "$WORK/alice.auth"
expect_status 200 "search.query over HTTPS"
jcheck "$BODY" "d['data']['hits'][0]['external_id'] == 'e2e-en-printer'" "the search over HTTPS"

note "TLS 1.2 and 1.3 are accepted, 1.1 is not"
for version in 1.2 1.3; do
  curl -sS -o /dev/null --cacert "$WORK/cert.pem" --tlsv"$version" --tls-max "$version" "$BASE/healthz" \
    2> "$WORK/curl.err" || fail "TLS $version refused: $(cat "$WORK/curl.err")"
done
if curl -sS -o /dev/null --cacert "$WORK/cert.pem" --tlsv1.1 --tls-max 1.1 "$BASE/healthz" 2> "$WORK/curl.err"; then
  fail "TLS 1.1 was accepted"
fi
# Debian's OpenSSL refuses TLS 1.1 on the client side too (security level 2): a client lowered to
# level 0 shows that the server itself refuses it, and still agrees on 1.2.
openssl s_client -connect "127.0.0.1:$PORT" -tls1_1 -cipher 'DEFAULT:@SECLEVEL=0' < /dev/null > "$WORK/s_client.out" 2>&1 \
  && fail "the server accepted TLS 1.1: $(tail -n 20 "$WORK/s_client.out")"
openssl s_client -connect "127.0.0.1:$PORT" -tls1_2 -cipher 'DEFAULT:@SECLEVEL=0' < /dev/null > "$WORK/s_client.out" 2>&1 \
  || fail "a level-0 client could not agree on TLS 1.2: $(tail -n 20 "$WORK/s_client.out")"
note "plain HTTP to the TLS port gets no answer"
if curl -sS -o /dev/null --max-time 30 "http://127.0.0.1:$PORT/healthz" 2> "$WORK/curl.err"; then
  fail "plain HTTP was answered on the TLS port"
fi

note "WSS: ws_client verifies the certificate and subscribes"
"$WS_CLIENT" "wss://127.0.0.1:$PORT$API/ws" "$(token alice)" --ca "$WORK/cert.pem" --timeout 60 \
  > "$WORK/wss.out" 2> "$WORK/wss.err" || fail "ws_client over wss: $(cat "$WORK/wss.err")"
jcheck "$WORK/wss.out" "d['type'] == 'subscribed'" "the first frame over wss"
"$WS_CLIENT" "wss://localhost:$PORT$API/ws" "$(token alice)" --ca "$WORK/cert.pem" --timeout 60 \
  > "$WORK/wss.out" 2> "$WORK/wss.err" || fail "ws_client over wss by name: $(cat "$WORK/wss.err")"
status=0
"$WS_CLIENT" "wss://127.0.0.1:$PORT$API/ws" "$(token alice)" --timeout 60 > "$WORK/wss.out" 2> "$WORK/wss.err" || status=$?
[[ $status == 1 ]] && grep -q 'TLS handshake failed' "$WORK/wss.err" \
  || fail "ws_client trusted a self-signed certificate it was not given (exit $status)"

stop_server
echo "PASS: tls"
