package wallet

import (
	"context"

	"github.com/tierchain/tierchain/chaincode/model"
)

// RefRecords reads the ledger records a reference check needs: each
// invoice (its ID, aliases, filing, seller and buyer) and each party (its
// legal ID). Those fields are written once, when the record is registered,
// and never change on the ledger, so any faithful copy of a record the
// reader holds checks the same as the ledger's (the gateway's reads its
// own peer's read model first). An error means nothing can be checked.
type RefRecords interface {
	Invoice(ctx context.Context, id string) (*model.Invoice, error)
	Enterprise(ctx context.Context, id string) (*model.Enterprise, error)
}

// LedgerRecords reads RefRecords from the ledger: one evaluation per call.
type LedgerRecords struct {
	Ledger   Ledger
	Contract string // "" is DefaultContract
}

func (r LedgerRecords) contract() string {
	if r.Contract == "" {
		return DefaultContract
	}
	return r.Contract
}

// Invoice evaluates GetInvoice.
func (r LedgerRecords) Invoice(ctx context.Context, id string) (*model.Invoice, error) {
	return evaluate[model.Invoice](ctx, r.Ledger, r.contract(), "GetInvoice", id)
}

// Enterprise evaluates GetEnterprise.
func (r LedgerRecords) Enterprise(ctx context.Context, id string) (*model.Enterprise, error) {
	return evaluate[model.Enterprise](ctx, r.Ledger, r.contract(), "GetEnterprise", id)
}
