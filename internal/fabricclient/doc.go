// Package fabricclient is the one way the gateway and the services reach
// Fabric. It wraps a fabric-gateway *client.Gateway bound to one org's peer,
// takes a context on every call, bounds each phase with its own timeout and
// turns fabric-gateway's errors into the typed errors of errors.go, so that
// callers decide on retries and HTTP statuses without parsing gRPC.
//
//	c, _ := fabricclient.Dial(cfg)
//	res, err := c.Submit(ctx, "baseline", "Mint", "alice", "10")
//	// res.TxID, res.BlockNumber: the transaction is committed and valid.
//	var ce *fabricclient.ChaincodeError
//	if errors.As(err, &ce) { … ce.Code == "NOT_FOUND" … }
package fabricclient
