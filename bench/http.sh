#!/usr/bin/env bash
# Load-test the pages and API of a Krousar database made with `krousar gen-data`.
#   bench/http.sh DATA_DIR|DATABASE_URL [SECONDS] [CONNECTIONS]
# Starts a release server on 127.0.0.1:18080, signs in as the synthetic worker (a caseload of
# every generated child: the worst case for a list), and runs wrk (2 threads, 16 connections
# unless given)
# against each page. Prints requests/s and p50/p95/p99 latency, page weights and server memory.
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=${1:?usage: bench/http.sh DATA_DIR|DATABASE_URL [SECONDS] [CONNECTIONS]}
SECS=${2:-15}
CONNS=${3:-16}
BIN=target/release/krousar
case "$DIR" in *://*) DB=$DIR ;; *) DB="sqlite://$DIR/krousar.db" ;; esac
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
cargo build --release -p krousar -q
export KROUSAR_TOKEN=$($BIN --database-url "$DB" token create --username synthetic-worker --label bench)
$BIN --database-url "$DB" serve --listen 127.0.0.1:18080 >/tmp/krousar-bench.log 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null' EXIT
for _ in $(seq 100); do curl -sf http://127.0.0.1:18080/healthz >/dev/null && break; sleep 0.1; done
echo "server RSS at rest: $(( $(awk '/VmRSS/ {print $2}' /proc/$PID/status) / 1024 )) MB"
H="Authorization: Bearer $KROUSAR_TOKEN"
CHILD=$(curl -sf -H "$H" "http://127.0.0.1:18080/api/v1/children?limit=1" | sed -E 's/.*"id":"([0-9a-f-]{36})".*/\1/')
run() {
  local name=$1 path=$2
  printf '%-34s ' "$name"
  wrk -t2 -c"$CONNS" -d"${SECS}s" -s bench/p95.lua "http://127.0.0.1:18080$path" | grep RESULT | cut -d' ' -f2-
}
run "child list page"                "/children"
run "child list, province+sex filter" "/children?province=12&sex=female"
run "name search page (romanised)"    "/children?q=sokha"
run "name search page (Khmer)"        "/children?q=%E1%9E%9F%E1%9E%BB%E1%9E%81%E1%9E%B6"
run "child record page (audited)"     "/children/$CHILD"
run "worker home page"                "/"
run "API child list"                  "/api/v1/children?limit=50"
run "API name search"                 "/api/v1/children?q=dara"
run "location type-ahead"             "/api/v1/locations/search?level=village&q=prek"
run "household list page"             "/households"
run "household name search page"      "/households?q=sreymom"
echo "server RSS after load: $(( $(awk '/VmRSS/ {print $2}' /proc/$PID/status) / 1024 )) MB"
weigh() { curl -s -H "$H" -H 'Accept-Encoding: gzip' -o /dev/null -w '%{size_download}' "http://127.0.0.1:18080$1"; }
echo "page weight (gzip): list $(weigh /children) B, record $(weigh /children/$CHILD) B, form $(weigh /children/new) B, css $(weigh /static/app.css) B, js $(weigh /static/app.js) B"
