package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/hyperledger/fabric-gateway/pkg/client"

	"github.com/tierchain/tierchain/internal/fabnet"
)

// runPing commits one plaintext transaction (baseline:Mint of 1 to a fresh
// account) through an org's gateway and reports how long it took: a smoke
// check that the network orders and commits, and the "first committed
// transaction" of the start-up figures.
func runPing(w io.Writer, args []string) error {
	fs, dir := commandFlags("ping", w, "data directory")
	org := fs.String("org", "Core", "organisation whose gateway (and User1) submits")
	timeout := fs.Duration("timeout", 60*time.Second, "give up after")
	if err := fs.Parse(args); err != nil {
		return err
	}
	n, err := fabnet.Open(*dir)
	if err != nil {
		return err
	}
	c, err := n.Connect(*org, "User1")
	if err != nil {
		return err
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	account := fmt.Sprintf("ping-%d", time.Now().UnixNano())
	start := time.Now()
	_, commit, err := c.Contract("baseline").SubmitAsync("Mint", client.WithArguments(account, "1"))
	if err != nil {
		return err
	}
	status, err := commit.StatusWithContext(ctx)
	if err != nil {
		return err
	}
	if !status.Successful {
		return fmt.Errorf("transaction %s invalid: %s", status.TransactionID, status.Code)
	}
	fmt.Fprintf(w, "committed %s in block %d through %s's peer in %s\n",
		status.TransactionID, status.BlockNumber, *org, time.Since(start).Round(time.Millisecond))
	return nil
}
