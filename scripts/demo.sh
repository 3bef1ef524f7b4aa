#!/usr/bin/env bash
# make demo: a demo tenant on a fresh SQLite database, served by portal_server on 127.0.0.1:8080.
#
# Seeds tenant 1 with the customer "Acme" (id 10): a customer user, a customer admin and a support
# engineer (platform_admin), the bilingual knowledge base of examples/demo/kb.jsonl, two status
# components and a maintenance window; then starts portal_server in the foreground and prints the
# login and curl commands to try. Ctrl-C stops the server (gracefully). Every run starts afresh.
#
# Environment: BUILD (default build/release), PORT (default 8080), ADDRESS (default 127.0.0.1).
set -euo pipefail
cd "$(dirname "$0")/.."

build=${BUILD:-build/release}
port=${PORT:-8080}
address=${ADDRESS:-127.0.0.1}
cli=$build/examples/cli/selfservice
server=$build/examples/portal_server/portal_server
for program in "$cli" "$server"; do
  [ -x "$program" ] || { echo "demo: $program is missing; run make build first" >&2; exit 1; }
done

dir=$build/demo
rm -rf "$dir"
mkdir -p "$dir"
db=$dir/portal.db
password='Demo-Portal-2026!'

# The CLI is a trusted local host: it creates the tenant's first accounts as its platform_admin.
seed() { "$cli" --db "$db" --quiet --tenant 1 --customer 10 --user 1 --role platform_admin --json call "$@" >/dev/null; }
echo "demo: seeding $db"
seed users.create "{\"username\": \"alice\", \"display_name\": \"Alice Chen\", \"email\": \"alice@acme.example\", \"password\": \"$password\"}"
seed users.create "{\"username\": \"bob\", \"display_name\": \"Bob Li\", \"roles\": [\"customer_admin\"], \"password\": \"$password\"}"
seed users.create "{\"customer_id\": 1, \"username\": \"support\", \"display_name\": \"Support desk\", \"roles\": [\"platform_admin\"], \"password\": \"$password\"}"
"$cli" --db "$db" --quiet --tenant 1 --customer 10 import examples/demo/kb.jsonl
seed status.components.upsert '{"name": "Portal", "group_name": "Customer services", "status": "operational"}'
seed status.components.upsert '{"name": "VPN gateway", "group_name": "Network", "status": "operational"}'
now=$(date +%s)
seed status.maintenance.schedule "{\"title\": \"VPN gateway upgrade\", \"description\": \"Connections drop for up to 5 minutes.\", \"component_ids\": [2], \"starts_at\": $(((now / 86400 + 2) * 86400 + 2 * 3600)), \"ends_at\": $(((now / 86400 + 2) * 86400 + 3 * 3600))}"

"$server" --db "$db" --address "$address" --port "$port" > "$dir/server.out" 2> "$dir/server.err" &
pid=$!
trap 'kill -TERM $pid 2>/dev/null; wait $pid 2>/dev/null' EXIT
trap 'exit 0' INT TERM
for _ in $(seq 100); do
  grep -q '^listening on' "$dir/server.out" 2>/dev/null && break
  kill -0 $pid 2>/dev/null || { cat "$dir/server.err" >&2; exit 1; }
  sleep 0.1
done
grep -q '^listening on' "$dir/server.out" || { echo "demo: portal_server did not start" >&2; exit 1; }

base=http://$address:$port/api/v1/customer-portal
cat <<EOF

portal_server is listening on http://$address:$port (Ctrl-C stops it).

Sign in as the customer user alice (tenant 1), password $password
(bob is a customer_admin, support a platform_admin; same password):

  TOKEN=\$(curl -s -X POST $base/auth/login -H 'Content-Type: application/json' \\
    -d '{"tenant_id": 1, "username": "alice", "password": "$password"}' \\
    | sed -E 's/.*"access_token":"([^"]+)".*/\1/')

Then:

  curl -s -H "Authorization: Bearer \$TOKEN" -H 'Accept-Language: en' '$base/search?q=vpn+keeps+disconnecting'
  curl -s -H "Authorization: Bearer \$TOKEN" '$base/search?q=%E9%87%8D%E7%BD%AE%E5%AF%86%E7%A0%81'
  curl -s -H "Authorization: Bearer \$TOKEN" -H 'Accept-Language: en' -X POST $base/ai-chat \\
    -H 'Content-Type: application/json' -d '{"question": "How do I reset my password?"}'
  curl -s -H "Authorization: Bearer \$TOKEN" -H 'Accept-Language: en' -X POST $base/tickets \\
    -H 'Content-Type: application/json' \\
    -d '{"title": "VPN drops every morning", "description": "Around 9:00 the VPN disconnects.", "category": "network", "priority": 2}'
  curl -s -H "Authorization: Bearer \$TOKEN" '$base/tickets?page=1&size=10'
  curl -s -H "Authorization: Bearer \$TOKEN" $base/status
  curl -s http://$address:$port/healthz
  curl -s http://$address:$port/api/v1/customer-portal/openapi.json | head -c 300

Live ticket status over WebSocket: ws://$address:$port/api/v1/customer-portal/ws?access_token=\$TOKEN
Metrics: http://$address:$port/metrics
EOF
wait $pid
