# Fabric's orderer and osnadmin (the owner's admin joins it to the channel
# through `docker exec`), FROM scratch: static binaries, no shell.
FROM scratch
COPY orderer /usr/local/bin/orderer
COPY osnadmin /usr/local/bin/osnadmin
COPY orderer.yaml /etc/hyperledger/fabric/orderer.yaml
ENV FABRIC_CFG_PATH=/etc/hyperledger/fabric
WORKDIR /tmp
ENV PATH=/usr/local/bin
ENTRYPOINT ["/usr/local/bin/orderer"]
