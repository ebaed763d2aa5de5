#!/usr/bin/env bash
# Throughput of the organisation duplicate scan on a database made with `krousar gen-data`:
#   bench/dup-scan.sh DATA_DIR|DATABASE_URL [SECONDS]
# Starts a release server on 127.0.0.1:18081, adds a manager to the generated organisation,
# starts a scan through the API, and after SECONDS reports how many children were checked and
# how many pairs were found (the scan keeps running in the database; the next server start
# carries on with it).
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=${1:?usage: bench/dup-scan.sh DATA_DIR|DATABASE_URL [SECONDS]}
SECS=${2:-60}
BIN=target/release/krousar
case "$DIR" in *://*) DB=$DIR ;; *) DB="sqlite://$DIR/krousar.db" ;; esac
cargo build --release -p krousar -q
ORG=$($BIN --database-url "$DB" org list | head -1 | cut -f4)
echo 'bench manager password' | $BIN --database-url "$DB" user add --org "$ORG" --username bench-manager --role manager >/dev/null 2>&1 || true
TOKEN=$($BIN --database-url "$DB" token create --username bench-manager --label dup-scan)
$BIN --database-url "$DB" serve --listen 127.0.0.1:18081 >/tmp/krousar-dupscan.log 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null' EXIT
for _ in $(seq 300); do curl -sf http://127.0.0.1:18081/healthz >/dev/null && break; sleep 0.1; done
H="Authorization: Bearer $TOKEN"
curl -sf -X POST -H "$H" -H 'Content-Type: application/json' -d '{}' http://127.0.0.1:18081/api/v1/duplicate-scans >/dev/null
sleep "$SECS"
curl -sf -H "$H" http://127.0.0.1:18081/api/v1/duplicate-scans/latest |
  python3 -c "import json,sys; d=json.load(sys.stdin); s=d['scan']; print(f\"checked {s['checked']} of {s['total']} children in ${SECS} s: {s['checked']/${SECS}:.0f} children/s; {len(d['items'])} pairs shown (of the first 100)\")"
echo "server RSS: $(( $(awk '/VmRSS/ {print $2}' /proc/$PID/status) / 1024 )) MB"
