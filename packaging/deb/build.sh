#!/usr/bin/env bash
# Build the Debian package from a built binary:
#   cargo build --release -p krousar && packaging/deb/build.sh [BINARY] [OUT_DIR]
# KROUSAR_DEB_VERSION overrides the version (the CI test builds an "upgrade" with it).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
bin=${1:-$root/target/release/krousar}
out=${2:-$root/target/deb}
version=${KROUSAR_DEB_VERSION:-$(sed -n 's/^version = "\(.*\)"/\1/p' "$root/Cargo.toml" | head -1)}
arch=$(dpkg --print-architecture)
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

install -Dm0755 "$bin" "$stage/usr/bin/krousar"
# Debug information stays on the build machine.
command -v strip >/dev/null && strip --strip-debug "$stage/usr/bin/krousar"
install -Dm0644 "$here/krousar.service" "$stage/lib/systemd/system/krousar.service"
install -Dm0644 "$here/krousar-backup.service" "$stage/lib/systemd/system/krousar-backup.service"
install -Dm0644 "$here/krousar-backup.timer" "$stage/lib/systemd/system/krousar-backup.timer"
install -Dm0640 "$here/krousar.toml" "$stage/etc/krousar/krousar.toml"
install -Dm0644 "$here/copyright" "$stage/usr/share/doc/krousar/copyright"
install -Dm0644 "$root/README.md" "$stage/usr/share/doc/krousar/README.md"
install -Dm0644 "$root/docs/operators-guide.md" "$stage/usr/share/doc/krousar/operators-guide.md"

mkdir -p "$stage/DEBIAN"
size=$(du -sk --exclude=DEBIAN "$stage" | cut -f1)
sed -e "s/@VERSION@/$version/" -e "s/@ARCH@/$arch/" -e "s/@SIZE@/$size/" "$here/control" > "$stage/DEBIAN/control"
echo /etc/krousar/krousar.toml > "$stage/DEBIAN/conffiles"
for s in postinst prerm postrm; do install -m0755 "$here/$s" "$stage/DEBIAN/$s"; done

mkdir -p "$out"
deb="$out/krousar_${version}_${arch}.deb"
dpkg-deb --root-owner-group -Zxz -z6 --build "$stage" "$deb" >/dev/null
echo "$deb"
