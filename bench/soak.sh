#!/usr/bin/env bash
# Memory over a long run: a release server under a steady mix of a worker's pages (bench/mix.lua,
# 8 connections) for MINUTES, its resident memory printed every 30 s, then at rest.
#   bench/soak.sh DATA_DIR|DATABASE_URL [MINUTES] [WORKER]
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=${1:?usage: bench/soak.sh DATA_DIR|DATABASE_URL [MINUTES] [WORKER]}
MINUTES=${2:-10}
WORKER=${3:-o001-t0-w0}
BIN=target/release/krousar
case "$DIR" in *://*) DB=$DIR ;; *) DB="sqlite://$DIR/krousar.db" ;; esac
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
cargo build --release -p krousar -q
export KROUSAR_TOKEN=$($BIN --database-url "$DB" token create --username "$WORKER" --label soak)
$BIN --database-url "$DB" serve --listen 127.0.0.1:18080 >/tmp/krousar-soak.log 2>&1 &
PID=$!
trap 'kill $PID $WRK 2>/dev/null' EXIT
for _ in $(seq 100); do curl -sf http://127.0.0.1:18080/healthz >/dev/null && break; sleep 0.1; done
rss() { echo $(( $(awk '/VmRSS/ {print $2}' /proc/$PID/status) / 1024 )); }
echo "at start: $(rss) MB"
export BENCH_CHILD=$(curl -sf -H "Authorization: Bearer $KROUSAR_TOKEN" "http://127.0.0.1:18080/api/v1/children?limit=1" | sed -E 's/.*"id":"([0-9a-f-]{36})".*/\1/')
wrk -t2 -c8 -d"$((MINUTES * 60))s" -s bench/mix.lua http://127.0.0.1:18080 >/tmp/krousar-soak-wrk.log &
WRK=$!
for t in $(seq 30 30 $((MINUTES * 60))); do sleep 30; echo "after ${t} s: $(rss) MB"; done
wait $WRK || true
grep -E "Requests/sec|Non-2xx" /tmp/krousar-soak-wrk.log || true
sleep 60
echo "at rest a minute later: $(rss) MB"
