package fabnet

// What a deployment that runs the nodes itself (docker-compose: each
// organisation's admin steps through `docker exec` into its own containers,
// internal/consortium) needs from the launcher's channel set-up.

// SignaturePolicy is the chaincode's endorsement policy for layout l, as
// every organisation approves it: a majority of the endorsing
// organisations' peers (the Regulator is in none).
func SignaturePolicy(l Layout) string { return signaturePolicy(l) }

// RegulatorLockUpdate returns the unsigned CONFIG_UPDATE envelope that
// takes every identity of application organisation msp out of the
// channel's Writers (its Writers policy becomes one nobody satisfies),
// computed against configBlock, the channel's latest config block. The
// organisation's admin signs and submits it (peer channel update); see
// lockRegulatorWriters.
func RegulatorLockUpdate(configBlock []byte, msp string) ([]byte, error) {
	return noWritersUpdate(configBlock, ChannelName, msp)
}
