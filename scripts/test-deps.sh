#!/bin/sh
# Installs what the integration tests drive for real, when it is missing:
# SeaweedFS's `weed` (the S3 store the blob store's S3 back end is tested
# against, built from source into $(go env GOPATH)/bin), and the Debian
# packages sqlite3 (the CLI an auditor opens the ledger with),
# clickhouse-server, sip-tester (sipp) and chromium (the browser tests of
# internal/browsertest drive it headless) with fonts-noto-cjk (Chinese text
# in its screenshots).
set -eu

# weed: SeaweedFS's go.mod has replace directives, which `go install
# module@version` refuses, so the module is downloaded and built in place.
# Built once and kept; a cold build takes about 10-15 minutes on 2 cores.
WEED_MODULE=github.com/seaweedfs/seaweedfs
WEED_VERSION=v0.0.0-20261109003541-7506e5f91cd6
gobin="$(go env GOPATH | cut -d: -f1)/bin"
if ! command -v weed >/dev/null 2>&1 && [ ! -x "$gobin/weed" ]; then
	echo "building weed ($WEED_MODULE@$WEED_VERSION) into $gobin"
	# Outside any module, so that the repository's go.mod is left alone.
	(cd / && GOFLAGS=-mod=mod go mod download "$WEED_MODULE@$WEED_VERSION")
	src="$(go env GOMODCACHE)/$WEED_MODULE@$WEED_VERSION"
	mkdir -p "$gobin"
	(cd "$src" && go build -o "$gobin/weed.tmp" ./weed)
	mv "$gobin/weed.tmp" "$gobin/weed"
fi

PACKAGES="sqlite3 clickhouse-server sip-tester chromium fonts-noto-cjk"

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
