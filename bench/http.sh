#!/usr/bin/env bash
# Load-test the pages and API of a Krousar database made with `krousar gen-data`.
#   bench/http.sh DATA_DIR|DATABASE_URL [SECONDS] [CONNECTIONS]
# BENCH_SERVERS=2 (PostgreSQL): two app servers behind nginx, as a national deployment runs.
# BENCH_WORKER, BENCH_SUPERVISOR and BENCH_MANAGER choose the accounts (defaults: the synthetic
# worker who holds every child, the synthetic manager); on a `gen-data --orgs` nation use e.g.
# BENCH_WORKER=o001-t0-w0 BENCH_SUPERVISOR=o001-t0-supervisor BENCH_MANAGER=o001-manager.
# Starts a release server on 127.0.0.1:18080, signs in as the synthetic worker (a caseload of
# every generated child: the worst case for a list), and runs wrk (2 threads, 16 connections
# unless given)
# against each page (BENCH_ONLY=REGEX: only the pages whose names match, e.g. 'supervisor|manager'). Prints requests/s and p50/p95/p99 latency, page weights and server memory.
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=${1:?usage: bench/http.sh DATA_DIR|DATABASE_URL [SECONDS] [CONNECTIONS]}
SECS=${2:-15}
CONNS=${3:-16}
# BENCH_BIN: an already built binary (an older one, to compare); otherwise this tree's, built now.
BIN=${BENCH_BIN:-target/release/krousar}
case "$DIR" in *://*) DB=$DIR ;; *) DB="sqlite://$DIR/krousar.db" ;; esac
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
[ -n "${BENCH_BIN:-}" ] || cargo build --release -p krousar -q
WORKER=${BENCH_WORKER:-synthetic-worker}
MANAGER=${BENCH_MANAGER:-synthetic-manager}
export KROUSAR_TOKEN=$($BIN --database-url "$DB" token create --username "$WORKER" --label bench)
if [ "${BENCH_SERVERS:-1}" = 2 ]; then
  # Two app servers on one (PostgreSQL) database behind nginx on :18080, round robin.
  command -v nginx >/dev/null || { apt-get update -qq && apt-get install -y -qq nginx-light >/dev/null; }
  $BIN --database-url "$DB" serve --listen 127.0.0.1:18083 --files-dir /tmp/krousar-bench-files >/tmp/krousar-bench.log 2>&1 &
  PID=$!
  $BIN --database-url "$DB" serve --listen 127.0.0.1:18084 --files-dir /tmp/krousar-bench-files >/tmp/krousar-bench2.log 2>&1 &
  PID2=$!
  NGX=$(mktemp -d)
  cat >"$NGX/nginx.conf" <<CONF
worker_processes 1;
pid $NGX/nginx.pid;
error_log $NGX/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  upstream krousar { server 127.0.0.1:18083; server 127.0.0.1:18084; keepalive 64; keepalive_timeout 20s; }
  server {
    listen 127.0.0.1:18080;
    location / { proxy_pass http://krousar; proxy_http_version 1.1; proxy_set_header Connection ""; proxy_set_header Host \$host; }
  }
}
CONF
  nginx -c "$NGX/nginx.conf"
  trap 'kill $PID $PID2 2>/dev/null; nginx -c "$NGX/nginx.conf" -s stop 2>/dev/null' EXIT
  for _ in $(seq 100); do curl -sf http://127.0.0.1:18083/healthz >/dev/null && curl -sf http://127.0.0.1:18084/healthz >/dev/null && break; sleep 0.1; done
else
  $BIN --database-url "$DB" serve --listen 127.0.0.1:18080 >/tmp/krousar-bench.log 2>&1 &
  PID=$!
  trap 'kill $PID 2>/dev/null' EXIT
fi
for _ in $(seq 100); do curl -sf http://127.0.0.1:18080/healthz >/dev/null && break; sleep 0.1; done
echo "server RSS at rest: $(( $(awk '/VmRSS/ {print $2}' /proc/$PID/status) / 1024 )) MB"
H="Authorization: Bearer $KROUSAR_TOKEN"
CHILD=$(curl -sf -H "$H" "http://127.0.0.1:18080/api/v1/children?limit=1" | sed -E 's/.*"id":"([0-9a-f-]{36})".*/\1/')
wanted() { [[ -z "${BENCH_ONLY:-}" || "$1" =~ $BENCH_ONLY ]]; }
run() {
  local name=$1 path=$2
  wanted "$name" || return 0
  printf '%-34s ' "$name"
  wrk -t2 -c"$CONNS" -d"${SECS}s" -s bench/p95.lua "http://127.0.0.1:18080$path" | grep RESULT | cut -d' ' -f2-
}
run "empty handler (/healthz, baseline)" "/healthz"
run "child list page"                "/children"
run "child list, province+sex filter" "/children?province=12&sex=female"
run "name search page (romanised)"    "/children?q=sokha"
run "name search page (Khmer)"        "/children?q=%E1%9E%9F%E1%9E%BB%E1%9E%81%E1%9E%B6"
run "child record page (audited)"     "/children/$CHILD"
run "worker home page"                "/"
run "API child list"                  "/api/v1/children?limit=50"
run "API name search"                 "/api/v1/children?q=dara"
run "location type-ahead"             "/api/v1/locations/search?level=village&q=prek"
run "location type-ahead, other spelling, nation" "/api/v1/locations/search?level=village&q=Kaoh%20Ta%20Kouv"
run "location type-ahead, Khmer with number word" "/api/v1/locations/search?q=%E1%9E%97%E1%9E%BC%E1%9E%98%E1%9E%B7%E1%9E%9A%E1%9F%86%E1%9E%85%E1%9F%81%E1%9E%80%E1%9E%94%E1%9E%B8"
run "location type-ahead, within a district" "/api/v1/locations/search?level=village&within=0706&q=Kaoh%20Ta%20Kouv"
run "household list page"             "/households"
run "household name search page"      "/households?q=sreymom"
# Case work (needs `gen-data --cases N`): a case in follow-up, its CSI form, the worklist, and the
# manager's team view.
CASE=$(curl -sf -H "$H" "http://127.0.0.1:18080/api/v1/worklist" | grep -oE '\{[^{}]*"what":"visit"\}' | head -1 | grep -oE '"child_id":"[0-9a-f-]{36}"' | cut -d'"' -f4 || true)
if [ -n "$CASE" ]; then
  run "case page (audited)"             "/children/$CASE/case"
  run "case form page (CSI)"            "/children/$CASE/case/csi"
  run "API worklist"                    "/api/v1/worklist"
  run "API case file (audited)"         "/api/v1/children/$CASE/case"
fi
if MT=$($BIN --database-url "$DB" token create --username "$MANAGER" --label bench 2>/dev/null); then
  KROUSAR_TOKEN=$MT run "manager team view"  "/team"
  KROUSAR_TOKEN=$MT run "manager home page"  "/"
fi
if [ -n "${BENCH_SUPERVISOR:-}" ] && ST=$($BIN --database-url "$DB" token create --username "$BENCH_SUPERVISOR" --label bench 2>/dev/null); then
  KROUSAR_TOKEN=$ST run "supervisor team view"  "/team"
  KROUSAR_TOKEN=$ST run "supervisor home page"  "/"
  KROUSAR_TOKEN=$ST run "supervisor child list" "/children"
fi
# The duplicate check is limited to 30 questions an hour per user (a partner organisation's staff
# must not probe the nation's children by asking), so it is load-tested as many users asking in
# turn: BENCH_DUPLICATES=N makes tokens for N users named by BENCH_DUP_USERS (a printf pattern
# of 1..N; on a `gen-data --orgs` nation 'o%03d-t0-w0', one worker of each organisation).
# 30 × N must exceed the requests made (errors= counts refusals). The matcher's own speed is in
# bench/dup-scan.sh.
if [ -n "${BENCH_DUPLICATES:-}" ] && wanted "duplicate check"; then
  TOKENS=$(mktemp)
  for n in $(seq 1 "$BENCH_DUPLICATES"); do
    # shellcheck disable=SC2059
    $BIN --database-url "$DB" token create --username "$(printf "${BENCH_DUP_USERS:?a pattern of usernames}" "$n")" --label bench 2>/dev/null >>"$TOKENS"
  done
  printf '%-34s ' "duplicate check (new child)"
  KROUSAR_TOKENS=$TOKENS wrk -t2 -c"$CONNS" -d"${SECS}s" -s bench/dup.lua "http://127.0.0.1:18080" | grep RESULT | cut -d' ' -f2-
  rm -f "$TOKENS"
fi
echo "server RSS after load: $(( $(awk '/VmRSS/ {print $2}' /proc/$PID/status) / 1024 )) MB${PID2:+, second server $(( $(awk '/VmRSS/ {print $2}' /proc/$PID2/status) / 1024 )) MB}"
weigh() { curl -s -H "$H" -H 'Accept-Encoding: gzip' -o /dev/null -w '%{size_download}' "http://127.0.0.1:18080$1"; }
echo "page weight (gzip): list $(weigh /children) B, record $(weigh /children/$CHILD) B, form $(weigh /children/new) B, css $(weigh /static/app.css) B, js $(weigh /static/app.js) B"
[ -n "${CASE:-}" ] && echo "case pages (gzip): case $(weigh /children/$CASE/case) B, CSI form $(weigh /children/$CASE/case/csi) B, home $(weigh /) B"
if [ -n "${CASE:-}" ]; then
  start=$(date +%s.%N); curl -sf -H "$H" -o /tmp/krousar-bench-form.pdf "http://127.0.0.1:18080/children/$CASE/case/forms/5"; end=$(date +%s.%N)
  echo "ministry form 5 as PDF: $(stat -c %s /tmp/krousar-bench-form.pdf) B in $(awk "BEGIN{printf \"%.2f\", $end-$start}") s"
fi
