#!/bin/sh
# Installs the Debian packages the integration tests drive for real, when
# they are missing: sqlite3 (the CLI an auditor opens the ledger with),
# clickhouse-server, sip-tester (sipp) and chromium (the browser tests of
# internal/browsertest drive it headless) with fonts-noto-cjk (Chinese text
# in its screenshots), and clamav-daemon (clamd, which internal/clamav/
# clamavtest starts with its own config and one local signature).
set -eu

PACKAGES="sqlite3 clickhouse-server sip-tester chromium fonts-noto-cjk clamav-daemon"

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
# clamav-daemon's scripts may start the system's freshclam (which would try
# to download the official databases, unreachable here) and clamd (which
# does not start without them). The tests run their own clamd on their own
# socket, so neither is needed: stop them where the install started them.
case "$missing" in
*clamav-daemon*)
	for service in clamav-freshclam clamav-daemon; do
		invoke-rc.d "$service" stop >/dev/null 2>&1 || true
	done
	;;
esac
