package wallet_test

import (
	"context"
	"fmt"
	"time"

	"github.com/tierchain/tierchain/chaincode/rules/rulestest"
	"github.com/tierchain/tierchain/services/store"
	"github.com/tierchain/tierchain/services/wallet"
)

// A supplier's wallet learns its tokens from the chain and splits one. In
// the gateway the ledger is the enterprise's *fabricclient.Client; here it
// is the chaincode's rules in memory, where the core has issued 1,000 to
// supplier1.
func Example() {
	ctx := context.Background()
	world := rulestest.NewScenario().World
	var ledger wallet.Ledger = &fakeLedger{world: world, as: world.S1}

	db, err := store.Open(ctx, "sqlite::memory:")
	if err != nil {
		panic(err)
	}
	defer db.Close()
	masterKey := make([]byte, wallet.MasterKeySize) // from a secret store, never a constant
	w, err := wallet.New(ctx, db, masterKey, wallet.Config{
		Context: world.Ctx(), Now: func() time.Time { return world.Now },
	})
	if err != nil {
		panic(err)
	}
	// supplier1's key was registered on the ledger; in production the
	// wallet generates it (GenerateKey) before the operator registers it.
	if err := w.ImportKey(ctx, "supplier1", world.S1.Key); err != nil {
		panic(err)
	}

	report, err := w.Sync(ctx, "supplier1", ledger)
	if err != nil {
		panic(err)
	}
	holdings, _ := w.Holdings(ctx, "supplier1")
	fmt.Println("opened:", report.Opened, "holding:", holdings[0].Value, holdings[0].Status)

	dir := wallet.Directory{Ledger: ledger}
	supplier2, _ := dir.Recipient(ctx, "supplier2")
	auditor, _ := dir.Auditor(ctx)
	spend, err := w.BuildSpend(ctx, ledger, wallet.SpendSpec{
		Holder:  "supplier1",
		Inputs:  []string{holdings[0].TokenID},
		Outputs: []wallet.Payment{{To: supplier2, Amount: 300}}, // 700 come back as change
		Auditor: auditor,
	})
	if err != nil {
		panic(err)
	}
	fmt.Println("submit:", spend.Function, "outputs:", spend.Request.Outputs[0].Holder, spend.Request.Outputs[1].Holder)
	// Output:
	// opened: 1 holding: 1000 ACTIVE
	// submit: Split outputs: supplier2 supplier1
}
