package audit_test

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/rules"
	"github.com/tierchain/tierchain/chaincode/rules/rulestest"
)

// fakeLedger answers Evaluate with the chaincode's own query rules over
// an in-memory world, as the regulator, on a throwaway overlay of the
// state. pageSize caps every page so that the service's bookmark loop
// runs; tamper, when set, rewrites each token the ledger returns (a
// compromised peer, or a test's way to reach states the chaincode
// refuses).
type fakeLedger struct {
	w        *rulestest.World
	now      time.Time
	pageSize int
	tamper   func(*model.TokenView)
	calls    int
	block    uint64 // the height ChainHeight reports
}

// ChainHeight reports f.block, whose last transaction is "tx-<block>".
func (f *fakeLedger) ChainHeight(context.Context) (uint64, string, error) {
	return f.block, fmt.Sprintf("tx-%d", f.block), nil
}

func (f *fakeLedger) Evaluate(_ context.Context, contract, fn string, args ...string) ([]byte, error) {
	f.calls++
	if contract != "tierchain" {
		return nil, fmt.Errorf("fake ledger: no contract %q", contract)
	}
	st := f.w.State.Overlay()
	st.Begin(f.w.Regulator.Identity, "query", f.now)
	var res any
	var err error
	switch fn {
	case "Enterprises":
		res, err = f.enterprises(st, args)
	case "TokensByIssuer":
		res, err = paged(f, args, func(req *model.PageRequest) (*model.Page[model.TokenView], error) {
			p, err := f.w.Rules.TokensByIssuer(st, req)
			if err == nil && f.tamper != nil {
				for i := range p.Items {
					f.tamper(&p.Items[i])
				}
			}
			return p, err
		})
	case "InvoicesByBuyer":
		res, err = paged(f, args, func(req *model.PageRequest) (*model.Page[model.Invoice], error) {
			return f.w.Rules.InvoicesByBuyer(st, req)
		})
	case "CreditLinesByCore":
		res, err = paged(f, args, func(req *model.PageRequest) (*model.Page[rules.Exposure], error) {
			return f.w.Rules.CreditLinesByCore(st, req)
		})
	case "Disputes":
		var req model.PageRequest // no owner: the chaincode's ValidateAll
		if err = json.Unmarshal([]byte(args[0]), &req); err == nil {
			req.PageSize = min(max(req.PageSize, 1), f.pageSize)
			res, err = f.w.Rules.Disputes(st, &req)
		}
	case "Provenance":
		var n *model.ProvenanceNode
		if n, err = f.w.Rules.Provenance(st, args[0]); err == nil && f.tamper != nil {
			tamperTree(n, f.tamper)
		}
		res = n
	default:
		return nil, fmt.Errorf("fake ledger: no function %q", fn)
	}
	if err != nil {
		return nil, err
	}
	return json.Marshal(res)
}

func tamperTree(n *model.ProvenanceNode, tamper func(*model.TokenView)) {
	tamper(&n.Token)
	for i := range n.Children {
		tamperTree(&n.Children[i], tamper)
	}
}

func paged[T any](f *fakeLedger, args []string, list func(*model.PageRequest) (*model.Page[T], error)) (*model.Page[T], error) {
	req, err := model.Decode[model.PageRequest](args[0])
	if err != nil {
		return nil, err
	}
	if f.pageSize > 0 {
		req.PageSize = min(req.PageSize, f.pageSize)
	}
	return list(req)
}

// enterprises is the chaincode's Enterprises query (owner: a role filter
// or empty), with the page size capped.
func (f *fakeLedger) enterprises(st *rulestest.Memory, args []string) (any, error) {
	var req model.PageRequest
	if err := json.Unmarshal([]byte(args[0]), &req); err != nil {
		return nil, err
	}
	if f.pageSize > 0 {
		req.PageSize = min(req.PageSize, f.pageSize)
	}
	return f.w.Rules.Enterprises(st, &req)
}
