# The TierChain REST gateway of one organisation (`tierchain serve
# --org-config FILE`), FROM scratch: pure-Go SQLite, no shell.
FROM scratch
COPY tierchain /usr/local/bin/tierchain
WORKDIR /tmp
ENV PATH=/usr/local/bin
ENTRYPOINT ["/usr/local/bin/tierchain"]
CMD ["serve"]
