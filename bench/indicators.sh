#!/usr/bin/env bash
# Time the indicators, dashboards and quarterly reports on a database made with `krousar gen-data`.
#   bench/indicators.sh DATA_DIR|DATABASE_URL [RUNS]
# Adds a ministry account (once), starts a release server on 127.0.0.1:18081 and requests each
# page RUNS times (default 3) with curl, one at a time, as the ministry (national figures) and as
# the synthetic manager (one organisation holding every generated child). Prints the median time.
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=${1:?usage: bench/indicators.sh DATA_DIR|DATABASE_URL [RUNS]}
RUNS=${2:-3}
BIN=target/release/krousar
case "$DIR" in *://*) DB=$DIR ;; *) DB="sqlite://$DIR/krousar.db" ;; esac
cargo build --release -p krousar -q
if ! MT=$($BIN --database-url "$DB" token create --username bench-ministry --label bench 2>/dev/null); then
  $BIN --database-url "$DB" org add --name "Bench ministry" --kind ministry >/dev/null 2>&1 || true
  echo "bench-ministry-password" | $BIN --database-url "$DB" user add --org "Bench ministry" --username bench-ministry --role ministry --name "Bench ministry" >/dev/null
  MT=$($BIN --database-url "$DB" token create --username bench-ministry --label bench)
fi
GT=$($BIN --database-url "$DB" token create --username synthetic-manager --label bench)
$BIN --database-url "$DB" serve --listen 127.0.0.1:18081 >/tmp/krousar-bench-ind.log 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null' EXIT
for _ in $(seq 100); do curl -sf http://127.0.0.1:18081/healthz >/dev/null && break; sleep 0.1; done
Q="from=2026-10-01&to=2026-12-31"
run() {
  local name=$1 token=$2 path=$3 times=()
  for _ in $(seq "$RUNS"); do
    times+=("$(curl -s -o /dev/null -w '%{http_code} %{time_total}' -H "Authorization: Bearer $token" "http://127.0.0.1:18081$path")")
  done
  printf '%-58s %s\n' "$name" "$(printf '%s\n' "${times[@]}" | sort -k2 -n | sed -n "$(( (RUNS + 1) / 2 ))p")"
}
run "ministry: every indicator, one province (Phnom Penh)"   "$MT" "/indicators?$Q&reach=national&province=12"
run "ministry: every indicator, one province (Mondulkiri)"   "$MT" "/indicators?$Q&reach=national&province=11"
run "ministry: every indicator, national"                   "$MT" "/indicators?$Q&reach=national"
run "ministry: registered by province, national"            "$MT" "/indicators?$Q&reach=national&by=province"
run "ministry: national quarterly report (page)"            "$MT" "/reports/quarterly?quarter=2026-Q4&reach=national&kind=ministry"
run "ministry: national quarterly report (XLSX)"            "$MT" "/reports/quarterly?quarter=2026-Q4&reach=national&kind=ministry&format=xlsx"
run "ministry: national dashboard"                          "$MT" "/dashboard"
run "manager: every indicator, whole organisation"          "$GT" "/indicators?$Q"
run "manager: every indicator, one province"                "$GT" "/indicators?$Q&province=12"
run "manager: donor quarterly report (page)"                "$GT" "/reports/quarterly?quarter=2026-Q4"
run "manager: dashboard"                                    "$GT" "/dashboard"
echo "server RSS after: $(( $(awk '/VmRSS/ {print $2}' /proc/$PID/status) / 1024 )) MB"
