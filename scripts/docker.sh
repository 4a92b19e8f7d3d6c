#!/usr/bin/env bash
# docker.sh: make sure a Docker engine and Compose are usable, the same way
# on a laptop and in CI (the compose consortium test, `make test-consortium`,
# needs both). Installs docker.io and docker-compose (Compose v1) from
# Debian's packages when missing, starts dockerd in the background when no
# engine answers, and waits (bounded) until it does. Installing or starting
# the engine needs root; without it the script says what is missing and
# fails, as the test would.
#
#   scripts/docker.sh          # ensure; prints the compose command to use
#
# The engine's log goes to ${TIERCHAIN_DOCKERD_LOG:-/var/log/tierchain-dockerd.log}.
set -euo pipefail

die() { echo "docker.sh: $*" >&2; exit 1; }
say() { echo "docker.sh: $*" >&2; }

engine_up() { docker info >/dev/null 2>&1; }

have_compose() {
	command -v docker-compose >/dev/null 2>&1 && return 0
	docker compose version >/dev/null 2>&1
}

need_root() {
	[ "$(id -u)" = 0 ] || die "$1 and doing so needs root: $2"
}

apt_install() {
	need_root "installing $* is needed" "apt-get install -y $*"
	say "installing $* from Debian's packages"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

missing=()
command -v dockerd >/dev/null 2>&1 || engine_up || missing+=(docker.io)
command -v docker >/dev/null 2>&1 || missing+=(docker.io)
have_compose || missing+=(docker-compose)
if [ ${#missing[@]} -gt 0 ]; then
	# shellcheck disable=SC2046
	apt_install $(printf '%s\n' "${missing[@]}" | sort -u)
fi
command -v docker >/dev/null 2>&1 || die "docker still not found after installing docker.io"
have_compose || die "docker-compose still not found after installing it"

if ! engine_up; then
	need_root "no Docker engine answers; starting dockerd is needed" "dockerd &"
	command -v dockerd >/dev/null 2>&1 || die "dockerd not found (install docker.io)"
	log=${TIERCHAIN_DOCKERD_LOG:-/var/log/tierchain-dockerd.log}
	say "starting dockerd in the background (log: $log)"
	# setsid: the engine outlives this script and the make run that started it.
	setsid dockerd >"$log" 2>&1 </dev/null &
	for _ in $(seq 1 60); do
		engine_up && break
		sleep 1
	done
	engine_up || { tail -n 20 "$log" >&2 || true; die "dockerd did not answer within 60 s (log: $log)"; }
fi

if command -v docker-compose >/dev/null 2>&1; then
	echo docker-compose
else
	echo "docker compose"
fi
