#!/usr/bin/env bash
# Fuzz the JSON API from its OpenAPI description with schemathesis (PyPI): every operation, the
# coverage, fuzzing and stateful phases, every check. Findings to look for: a server error
# (not_a_server_error) or a response that breaks the schema (response_schema_conformance).
#   tests/api-fuzz.sh [EXAMPLES_PER_OPERATION]   (KROUSAR_BIN=path to skip the build)
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-50}
VENV=${VENV:-/tmp/krousar-schemathesis}
[ -x "$VENV/bin/schemathesis" ] || { python3 -m venv "$VENV" && "$VENV/bin/pip" install -q schemathesis; }
# KROUSAR_BIN: a release binary built already (e.g. under a build lock); otherwise build it here,
# into CARGO_TARGET_DIR when set.
if [ -z "${KROUSAR_BIN:-}" ]; then cargo build --release -p krousar -q; fi
BIN=${KROUSAR_BIN:-${CARGO_TARGET_DIR:-target}/release/krousar}
DIR=$(mktemp -d)
DB="sqlite://$DIR/k.db"
$BIN --database-url "$DB" migrate >/dev/null
$BIN --database-url "$DB" org add --name "Fuzz NGO" --kind ngo >/dev/null
echo "a long enough password" | $BIN --database-url "$DB" user add --org "Fuzz NGO" --username fuzzworker --role social-worker --team T >/dev/null
$BIN --database-url "$DB" gen-data --children 30 --cases 5 >/dev/null 2>&1
TOKEN=$($BIN --database-url "$DB" token create --username fuzzworker)
KROUSAR_LOG=warn $BIN --database-url "$DB" serve --listen 127.0.0.1:18096 --files-dir "$DIR/files" >"$DIR/server.log" 2>&1 &
PID=$!
trap 'kill $PID 2>/dev/null; rm -rf "$DIR"' EXIT
for _ in $(seq 100); do curl -sf http://127.0.0.1:18096/healthz >/dev/null && break; sleep 0.1; done
"$VENV/bin/schemathesis" run http://127.0.0.1:18096/api/v1/openapi.json -H "Authorization: Bearer $TOKEN" \
  -c all -n "$N" --workers 2 --request-timeout 10 --suppress-health-check=filter_too_much || true
echo "server errors logged: $(grep -c ' ERROR ' "$DIR/server.log" || true)"
