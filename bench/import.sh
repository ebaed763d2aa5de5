#!/bin/sh
# The import benchmark: a workbook of N children (default 100,000) with their households and
# staff, checked and imported by `krousar import` into a fresh SQLite database (or the
# PostgreSQL database of KROUSAR_DATABASE_URL, emptied first by the caller). Prints the time
# of each run. Needs a release build: cargo build --release -p krousar
set -eu
N=${1:-100000}
DIR=${BENCH_DIR:-$(mktemp -d)}
BIN=${KROUSAR_BIN:-target/release/krousar}
cargo run --release -q -p krousar-import --example make_workbook -- "$DIR/children-$N.xlsx" "$N"
ls -l "$DIR/children-$N.xlsx"
export KROUSAR_DATABASE_URL=${KROUSAR_DATABASE_URL:-sqlite://$DIR/k.db}
$BIN migrate >/dev/null
$BIN org add --name "Bench NGO" --kind ngo >/dev/null
echo 'a long benchmark password' | $BIN user add --org "Bench NGO" --username benchadmin --role org-admin >/dev/null
echo "-- dry run"
/usr/bin/time -f "%e s, %M KB" $BIN import "$DIR/children-$N.xlsx" --org "Bench NGO" --dry-run --lang en | tail -1
echo "-- import"
/usr/bin/time -f "%e s, %M KB" $BIN import "$DIR/children-$N.xlsx" --org "Bench NGO" --accept-fixes --lang en | tail -2
echo "-- the same workbook again"
/usr/bin/time -f "%e s, %M KB" $BIN import "$DIR/children-$N.xlsx" --org "Bench NGO" --accept-fixes --lang en | tail -2
