# Fabric's orderer and osnadmin (the owner's admin joins it to the channel
# through `docker exec`), FROM scratch: static binaries, no shell.
FROM scratch
COPY orderer /usr/local/bin/orderer
COPY osnadmin /usr/local/bin/osnadmin
# The admin steps (peer channel join, lifecycle, osnadmin) run through it
# in the Kubernetes Jobs: a step done before counts as success.
COPY once /usr/local/bin/once
COPY orderer.yaml /etc/hyperledger/fabric/orderer.yaml
ENV FABRIC_CFG_PATH=/etc/hyperledger/fabric
WORKDIR /tmp
ENV PATH=/usr/local/bin
ENTRYPOINT ["/usr/local/bin/orderer"]
