#!/bin/sh
# Installs what the integration tests drive for real, when it is missing:
# SeaweedFS's `weed` (the S3 store the blob store's S3 back end is tested
# against, built from source into $(go env GOPATH)/bin), and the Debian
# packages sqlite3 (the CLI an auditor opens the ledger with),
# clickhouse-server, sip-tester (sipp) and chromium (the browser tests of
# internal/browsertest drive it headless) with fonts-noto-cjk (Chinese text
# in its screenshots), clamav-daemon (clamd, which internal/clamav/
# clamavtest starts with its own config and one local signature),
# prometheus (promtool, which unit-tests the alert rules in deploy/) and
# systemd (systemd-analyze, which checks the unit in deploy/systemd).
#
# weed builds in the background while the packages install: both spend
# most of their time downloading.
set -eu

# weed: SeaweedFS's go.mod has replace directives, which `go install
# module@version` refuses, so the module is downloaded and built in place.
# Built once and kept; a cold build takes about 10-15 minutes on 2 cores.
WEED_MODULE=github.com/seaweedfs/seaweedfs
WEED_VERSION=v0.0.0-20261109003541-7506e5f91cd6
gobin="$(go env GOPATH | cut -d: -f1)/bin"

build_weed() {
	echo "building weed ($WEED_MODULE@$WEED_VERSION) into $gobin"
	# Outside any module, so that the repository's go.mod is left alone.
	(cd / && GOFLAGS=-mod=mod go mod download "$WEED_MODULE@$WEED_VERSION")
	src="$(go env GOMODCACHE)/$WEED_MODULE@$WEED_VERSION"
	mkdir -p "$gobin"
	(cd "$src" && go build -trimpath -ldflags="-s -w" -o "$gobin/weed.tmp" ./weed)
	mv "$gobin/weed.tmp" "$gobin/weed"
}

weed_pid=""
weed_log="${TMPDIR:-/tmp}/ledger-weed-build.log"
if ! command -v weed >/dev/null 2>&1 && [ ! -x "$gobin/weed" ]; then
	build_weed >"$weed_log" 2>&1 &
	weed_pid=$!
	echo "building weed in the background (log: $weed_log)"
fi

PACKAGES="sqlite3 clickhouse-server sip-tester chromium fonts-noto-cjk clamav-daemon prometheus systemd"

missing=""
for pkg in $PACKAGES; do
	if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $pkg"
	fi
done
if [ -n "$missing" ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "test dependencies missing:$missing (run as root to install them)" >&2
		exit 1
	fi
	echo "installing test dependencies:$missing"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing
	# clamav-daemon's scripts may start the system's freshclam (which would
	# try to download the official databases, unreachable here) and clamd
	# (which does not start without them). The tests run their own clamd on
	# their own socket, so neither is needed: stop them where the install
	# started them.
	case "$missing" in
	*clamav-daemon*)
		for service in clamav-freshclam clamav-daemon; do
			invoke-rc.d "$service" stop >/dev/null 2>&1 || true
		done
		;;
	esac
	# Only promtool is used: a Prometheus server the install started would
	# scrape and listen for nothing.
	case "$missing" in
	*prometheus*) invoke-rc.d prometheus stop >/dev/null 2>&1 || true ;;
	esac
fi

if [ -n "$weed_pid" ]; then
	if ! wait "$weed_pid"; then
		cat "$weed_log" >&2
		echo "building weed failed" >&2
		exit 1
	fi
	echo "weed built"
fi
