#!/usr/bin/env bash
# testdeps.sh: install what `make test` needs and the machine lacks, the same
# way on a laptop and in CI: PostgreSQL for the store tests (through
# services/store/testdb.sh) and Chromium for the web console's browser tests,
# both from Debian's packages, and axe-core (the browser tests' accessibility
# check) from the npm registry at a pinned version into .tierchain/npm. Installing needs root; without it, the script
# says what is missing and fails, as the tests would.
set -euo pipefail
cd "$(dirname "$0")/.."

die() { echo "testdeps.sh: $*" >&2; exit 1; }

have_chromium() {
	[ -n "${TIERCHAIN_CHROMIUM:-}" ] && command -v "$TIERCHAIN_CHROMIUM" >/dev/null 2>&1 && return 0
	local b
	for b in chromium chromium-browser google-chrome headless-shell; do
		command -v "$b" >/dev/null 2>&1 && return 0
	done
	return 1
}

bash services/store/testdb.sh install

if ! have_chromium; then
	[ "$(id -u)" = 0 ] || die "Chromium is missing and installing it needs root: apt-get install -y chromium fonts-dejavu-core (or set TIERCHAIN_CHROMIUM)"
	echo "testdeps.sh: installing Chromium from Debian's packages" >&2
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
	have_chromium || die "Chromium still not found after installing it"
fi

# Chinese text in the browser tests' screenshots needs a CJK font (the tests
# read the DOM, not the pixels; the screenshots are for people).
if command -v fc-list >/dev/null 2>&1 && [ -z "$(fc-list :lang=zh 2>/dev/null | head -1)" ]; then
	if [ "$(id -u)" = 0 ]; then
		echo "testdeps.sh: installing a CJK font (fonts-noto-cjk) for Chinese screenshots" >&2
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends fonts-noto-cjk >/dev/null || echo "testdeps.sh: no CJK font: Chinese screenshots show boxes" >&2
	else
		echo "testdeps.sh: no CJK font (apt-get install -y fonts-noto-cjk): Chinese screenshots show boxes" >&2
	fi
fi

AXE_VERSION=4.10.2 # gateway/console/browsertest AxeVersion
if [ ! -f .tierchain/npm/node_modules/axe-core/axe.min.js ] || ! grep -q "\"version\": \"$AXE_VERSION\"" .tierchain/npm/node_modules/axe-core/package.json 2>/dev/null; then
	command -v npm >/dev/null 2>&1 || {
		[ "$(id -u)" = 0 ] || die "npm is missing (for axe-core) and installing it needs root: apt-get install -y npm"
		apt-get update -qq
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends npm >/dev/null
	}
	echo "testdeps.sh: installing axe-core@$AXE_VERSION from npm into .tierchain/npm" >&2
	npm install --no-audit --no-fund --prefix .tierchain/npm "axe-core@$AXE_VERSION" >/dev/null
fi
