#!/bin/sh
# Installs what kamer needs on Debian 12, only when something is missing.
#   scripts/deps.sh run    build and run kamerd
#   scripts/deps.sh bench  also what make bench needs: iproute2 (namespaces) and janus (the peer)
#   scripts/deps.sh test   also the test tools: clang with sanitizers and libFuzzer, cmocka,
#                          Chromium for the browser tests, and the npm packages
set -eu
mode=${1:-run}
pkgs="build-essential meson ninja-build pkg-config python3 libssl-dev libsrtp2-dev libwebsockets-dev
      libev-dev libwebsockets-evlib-ev
      libjansson-dev libsqlite3-dev libsodium-dev zlib1g-dev libcurl4-openssl-dev"
if [ "$mode" = bench ]; then
	pkgs="$pkgs iproute2 janus"
fi
if [ "$mode" = test ]; then
	pkgs="$pkgs clang libclang-rt-14-dev llvm libcmocka-dev chromium clang-format iproute2 sqlite3 python3-icalendar"
fi
missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "deps: installing$missing"
	sudo=""
	[ "$(id -u)" = 0 ] || sudo=sudo
	export DEBIAN_FRONTEND=noninteractive
	$sudo apt-get update -qq
	# shellcheck disable=SC2086
	$sudo apt-get install -y -qq --no-install-recommends $missing </dev/null
fi
if [ "$mode" = test ]; then
	if [ ! -d node_modules ] || [ package-lock.json -nt node_modules ]; then
		npm ci --no-audit --no-fund
		touch node_modules
	fi
fi
