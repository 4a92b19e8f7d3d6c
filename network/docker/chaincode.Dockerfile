# The TierChain chaincode server (chaincode as a service), FROM scratch.
FROM scratch
COPY tierchaincc /usr/local/bin/tierchaincc
WORKDIR /tmp
ENTRYPOINT ["/usr/local/bin/tierchaincc"]
