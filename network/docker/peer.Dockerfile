# Fabric's peer (and its CLI, for the organisation's admin steps through
# `docker exec`), with the chaincode-as-a-service builder, FROM scratch:
# static binaries built by network/docker/build.sh, no shell, no registry.
FROM scratch
COPY peer /usr/local/bin/peer
# The admin steps (peer channel join, lifecycle, osnadmin) run through it
# in the Kubernetes Jobs: a step done before counts as success.
COPY once /usr/local/bin/once
# One static Go binary under the three names the peer runs (no /bin/sh in
# the image for the shell builder of network/builder).
COPY ccaasbuilder /opt/tierchain/builder/bin/detect
COPY ccaasbuilder /opt/tierchain/builder/bin/build
COPY ccaasbuilder /opt/tierchain/builder/bin/release
# Its configuration, where Fabric's own images keep it; core.yaml names the
# builder above.
COPY core.yaml /etc/hyperledger/fabric/core.yaml
ENV FABRIC_CFG_PATH=/etc/hyperledger/fabric
# The external builder's work directories (os.TempDir).
WORKDIR /tmp
ENV PATH=/usr/local/bin
ENTRYPOINT ["/usr/local/bin/peer"]
CMD ["node", "start"]
