#!/bin/sh
# Installs the Debian packages the integration tests drive for real, when
# they are missing: sqlite3 (the CLI an auditor opens the ledger with),
# clickhouse-server, sip-tester (sipp) and chromium (the browser tests of
# internal/browsertest drive it headless).
set -eu

PACKAGES="sqlite3 clickhouse-server sip-tester chromium"

missing=""
for pkg in $PACKAGES; do
	if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $pkg"
	fi
done
if [ -z "$missing" ]; then
	exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
	echo "test dependencies missing:$missing (run as root to install them)" >&2
	exit 1
fi
echo "installing test dependencies:$missing"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing
