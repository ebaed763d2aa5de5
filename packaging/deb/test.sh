#!/usr/bin/env bash
# The Debian package on this machine, as an IT person would use it (run as root by .ci/run):
# build it, check it (dpkg-deb, systemd-analyze verify), install it, start `krousar serve` as
# the unit would (its user, directory and command line) over HTTPS with certificate files, make
# an administrator and sign in, take the timer's backup and check it, upgrade (a backup before
# the new schema), then remove it (the data stays) and purge it (the data still stays). Leaves
# the machine as it found it.
#   packaging/deb/test.sh BINARY
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=$(realpath "${1:?usage: test.sh BINARY}")
work=$(mktemp -d)
server=
cleanup() {
    [ -n "$server" ] && kill "$server" 2>/dev/null || true
    dpkg --purge krousar >/dev/null 2>&1 || true
    rm -rf /var/lib/krousar /etc/krousar "$work"
    getent passwd krousar >/dev/null && deluser --system krousar >/dev/null 2>&1 || true
    getent group krousar >/dev/null && delgroup --system krousar >/dev/null 2>&1 || true
}
fail() { echo "package test: $*" >&2; exit 1; }
if getent passwd krousar >/dev/null || [ -e /var/lib/krousar ] || [ -e /etc/krousar ]; then
    fail "this machine already has a krousar user, /var/lib/krousar or /etc/krousar: the test will not touch them"
fi
# Only now: the clean-up removes what the test installed, never an installation found here.
trap cleanup EXIT

echo "-- build"
deb=$("$here/build.sh" "$bin" "$work/1")
dpkg-deb --info "$deb" >/dev/null
contents=$(dpkg-deb --contents "$deb")
for f in ./usr/bin/krousar ./lib/systemd/system/krousar.service ./lib/systemd/system/krousar-backup.timer \
         ./etc/krousar/krousar.toml ./usr/share/doc/krousar/operators-guide.md; do
    grep -q " $f\$" <<<"$contents" || fail "$f is not in the package"
done
grep -q -- "-rw-r----- root/root .* ./etc/krousar/krousar.toml" <<<"$contents" || fail "the config file is not 0640 root"

echo "-- install"
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$deb" >/dev/null
systemd-analyze verify /lib/systemd/system/krousar.service /lib/systemd/system/krousar-backup.service \
    /lib/systemd/system/krousar-backup.timer
getent passwd krousar | grep -q ':/var/lib/krousar:/usr/sbin/nologin$' || fail "no krousar system user"
[ "$(stat -c '%a %U' /var/lib/krousar)" = "700 krousar" ] || fail "/var/lib/krousar is not 0700 krousar"
[ "$(stat -c '%a %U:%G' /etc/krousar/krousar.toml)" = "640 root:krousar" ] || fail "the config file is not 0640 root:krousar"
[ "$(stat -c '%a %U:%G' /etc/krousar/backup-passphrase)" = "440 root:krousar" ] || fail "the backup passphrase is not 0440 root:krousar"
[ -s /var/lib/krousar/krousar.db ] || fail "the schema was not made on install"

echo "-- serve HTTPS as the unit would, with certificate files as the operator's guide says"
command -v openssl >/dev/null || fail "openssl is needed to make the test's certificate"
# A certificate of the test's own for krousar.test (curl trusts it alone and reaches that name
# on 127.0.0.1); placed, owned and named in the settings as the guide tells an operator to.
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=krousar.test -addext subjectAltName=DNS:krousar.test \
    -keyout /etc/krousar/key.pem -out /etc/krousar/cert.pem 2>/dev/null
chgrp krousar /etc/krousar/key.pem && chmod 640 /etc/krousar/key.pem
sed -i -e 's|^# tls_cert = |tls_cert = |' -e 's|^# tls_key = |tls_key = |' /etc/krousar/krousar.toml
grep -q '^tls_cert = "/etc/krousar/cert.pem"' /etc/krousar/krousar.toml || fail "the settings name no tls_cert to turn on"
unit=/lib/systemd/system/krousar.service
exec_start=$(sed -n 's/^ExecStart=//p' $unit)
workdir=$(sed -n 's/^WorkingDirectory=//p' $unit)
user=$(sed -n 's/^User=//p' $unit)
port=$((20000 + RANDOM % 5000))
cd "$workdir"
KROUSAR_LISTEN=127.0.0.1:$port runuser -u "$user" -- $exec_start >"$work/serve.log" 2>&1 &
server=$!
base=https://krousar.test:$port
https() { curl -s --cacert /etc/krousar/cert.pem --resolve "krousar.test:$port:127.0.0.1" "$@"; }
for _ in $(seq 1 100); do
    [ "$(https -o /dev/null -w '%{http_code}' $base/readyz)" = 200 ] && break
    sleep 0.2
done
[ "$(https -o /dev/null -w '%{http_code}' $base/readyz)" = 200 ] || { cat "$work/serve.log"; fail "/readyz does not answer 200 over HTTPS"; }
[ "$(stat -c '%a %U' /var/lib/krousar/krousar.keys)" = "600 krousar" ] || fail "the key file is not 0600 krousar"
[ "$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:$port/readyz)" != 200 ] || fail "plain HTTP answered on the HTTPS port"

admin() { runuser -u krousar -- /usr/bin/krousar --config /etc/krousar/krousar.toml "$@"; }
admin org add --name "Package NGO" --kind ngo >/dev/null
echo "a long package password" | admin user add --org "Package NGO" --username pkgadmin --role org-admin >/dev/null
jar=$work/cookies
login=$(https -D "$work/login.head" -c "$jar" $base/login)
csrf=$(sed -n 's/.*name="_csrf" value="\([^"]*\)".*/\1/p' <<<"$login" | head -1)
[ -n "$csrf" ] || fail "no sign-in form"
grep -qi '^strict-transport-security: max-age=' "$work/login.head" || fail "no HSTS over HTTPS"
code=$(https -D "$work/signed.head" -b "$jar" -c "$jar" -o /dev/null -w '%{http_code} %{redirect_url}' \
    --data-urlencode "_csrf=$csrf" --data-urlencode username=pkgadmin --data-urlencode "password=a long package password" $base/login)
[ "$code" = "303 $base/" ] || fail "sign-in answered $code"
grep -i '^set-cookie:' "$work/signed.head" | grep -qi 'secure' || fail "the session cookie is not Secure"
https -b "$jar" $base/ | grep -q 'action="/logout"' || fail "the home page is not a signed-in one"

echo "-- the timer's backup"
backup_unit=/lib/systemd/system/krousar-backup.service
env_line=$(sed -n 's/^Environment=//p' $backup_unit)
runuser -u krousar -- env KROUSAR_LOG=warn "$env_line" $(sed -n 's/^ExecStart=//p' $backup_unit) >/dev/null
made=$(ls /var/lib/krousar/backups/krousar-*.kbak | head -1)
[ -n "$made" ] || fail "no backup was written"
[ "$(stat -c '%a' "$made")" = 600 ] || fail "the backup is not 0600"
admin restore "$made" --check --passphrase-file /etc/krousar/backup-passphrase | grep -q "authenticated" || fail "the backup does not check"

echo "-- upgrade"
kill "$server"; wait "$server" 2>/dev/null || true; server=
deb2=$(KROUSAR_DEB_VERSION=9.9.9 "$here/build.sh" "$bin" "$work/2")
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$deb2" >/dev/null
ls /var/lib/krousar/backups/before-upgrade-from-*.kbak >/dev/null 2>&1 || fail "no backup before the upgrade"
[ "$(dpkg-query -W -f '${Version}' krousar)" = 9.9.9 ] || fail "not upgraded"
grep -q '^tls_cert = "/etc/krousar/cert.pem"' /etc/krousar/krousar.toml || fail "the upgrade lost the operator's settings"

echo "-- remove and purge: the data stays"
DEBIAN_FRONTEND=noninteractive apt-get remove -y -qq krousar >/dev/null
[ ! -e /usr/bin/krousar ] || fail "the binary is still there"
[ -s /var/lib/krousar/krousar.db ] && [ -s /var/lib/krousar/krousar.keys ] || fail "removing the package lost data"
[ -e /etc/krousar/krousar.toml ] || fail "remove took the settings (only purge should)"
dpkg --purge krousar >/dev/null
[ ! -e /etc/krousar/krousar.toml ] || fail "purge kept the settings"
[ -s /var/lib/krousar/krousar.db ] || fail "purge lost the data"
echo "-- the package installs, serves HTTPS, signs in, backs up, upgrades and goes, keeping the data"
