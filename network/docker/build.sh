#!/usr/bin/env bash
# build.sh: build the images of the compose consortium locally, FROM
# scratch, from static Go binaries (CGO_ENABLED=0): Fabric's peer, orderer
# and osnadmin from the tools module (network/tools, the pinned Fabric),
# TierChain's gateway (cmd/tierchain), chaincode server
# (chaincode/cmd/tierchaincc) and the ccaas builder
# (network/docker/ccaasbuilder) and the admin steps' wrapper that makes
# them idempotent (network/docker/once). No image registry is needed.
#
#   network/docker/build.sh            # build (Go and Docker caches reused)
#
# Image names follow docker-compose.yml's defaults and the same variables:
#   TIERCHAIN_PEER_IMAGE      tierchain/fabric-peer:dev
#   TIERCHAIN_ORDERER_IMAGE   tierchain/fabric-orderer:dev
#   TIERCHAIN_CHAINCODE_IMAGE tierchain/chaincode:dev
#   TIERCHAIN_GATEWAY_IMAGE   tierchain/gateway:dev
# The binaries go to ${TIERCHAIN_IMAGE_BIN:-$HOME/.cache/tierchain/images/bin}.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
bin=${TIERCHAIN_IMAGE_BIN:-${XDG_CACHE_HOME:-$HOME/.cache}/tierchain/images/bin}
mkdir -p "$bin"

t0=$(date +%s)
export CGO_ENABLED=0 GOFLAGS="${GOFLAGS:-} -trimpath"
# Fabric's old dependencies stay in their own module.
(cd "$repo/network/tools" && go build -ldflags '-s -w' -o "$bin/" \
	github.com/hyperledger/fabric/cmd/peer \
	github.com/hyperledger/fabric/cmd/orderer \
	github.com/hyperledger/fabric/cmd/osnadmin)
(cd "$repo" && go build -ldflags '-s -w' -o "$bin/" \
	./cmd/tierchain ./chaincode/cmd/tierchaincc ./network/docker/ccaasbuilder ./network/docker/once)
# The nodes' configuration, baked into the images as Fabric's own images
# do (FABRIC_CFG_PATH=/etc/hyperledger/fabric): core.yaml names the ccaas
# builder where the peer image installs it.
sed 's#{{BUILDER_PATH}}#/opt/tierchain/builder#' "$repo/network/config/core.yaml" >"$bin/core.yaml"
cp "$repo/network/config/orderer.yaml" "$bin/orderer.yaml"
t1=$(date +%s)
echo "build.sh: static binaries in $bin ($((t1 - t0)) s)" >&2

image() { # name dockerfile
	# The CLI's notice about its legacy builder is noise; errors are shown.
	local log
	log=$(mktemp)
	docker build -q -t "$1" -f "$here/$2" "$bin" >/dev/null 2>"$log" || { cat "$log" >&2; rm -f "$log"; exit 1; }
	rm -f "$log"
	echo "build.sh: $1" >&2
}
image "${TIERCHAIN_PEER_IMAGE:-tierchain/fabric-peer:dev}" peer.Dockerfile
image "${TIERCHAIN_ORDERER_IMAGE:-tierchain/fabric-orderer:dev}" orderer.Dockerfile
image "${TIERCHAIN_CHAINCODE_IMAGE:-tierchain/chaincode:dev}" chaincode.Dockerfile
image "${TIERCHAIN_GATEWAY_IMAGE:-tierchain/gateway:dev}" gateway.Dockerfile
echo "build.sh: images built in $(($(date +%s) - t1)) s (binaries $((t1 - t0)) s)" >&2
