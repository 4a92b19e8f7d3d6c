package wallet

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/protocol"
	"github.com/tierchain/tierchain/zk/elgamal"
	"github.com/tierchain/tierchain/zk/envelope"
)

// Ledger evaluates the chaincode's queries; internal/fabricclient.Client
// satisfies it. The wallet only reads: it never submits.
type Ledger interface {
	Evaluate(ctx context.Context, contract, fn string, args ...string) ([]byte, error)
}

// evaluate calls fn and decodes its JSON result into a new T.
func evaluate[T any](ctx context.Context, l Ledger, contract, fn string, args ...string) (*T, error) {
	out, err := l.Evaluate(ctx, contract, fn, args...)
	if err != nil {
		return nil, fmt.Errorf("wallet: ledger %s: %w", fn, err)
	}
	v := new(T)
	if err := json.Unmarshal(out, v); err != nil {
		return nil, fmt.Errorf("wallet: ledger %s: malformed result: %w", fn, err)
	}
	return v, nil
}

// listAll reads every page of a list query for owner.
func listAll[T any](ctx context.Context, l Ledger, contract, fn, owner string, pageSize int) ([]T, error) {
	var all []T
	req := model.PageRequest{Owner: owner, PageSize: pageSize}
	for {
		raw, err := json.Marshal(req)
		if err != nil {
			return nil, err
		}
		page, err := evaluate[model.Page[T]](ctx, l, contract, fn, string(raw))
		if err != nil {
			return nil, err
		}
		all = append(all, page.Items...)
		if page.Bookmark == "" || page.Bookmark == req.Bookmark {
			return all, nil
		}
		req.Bookmark = page.Bookmark
	}
}

// Directory looks up, on the ledger, the public keys builders seal to.
type Directory struct {
	Ledger   Ledger
	Contract string // DefaultContract when empty
}

func (d Directory) contract() string {
	if d.Contract == "" {
		return DefaultContract
	}
	return d.Contract
}

// Recipient returns an enterprise as an envelope recipient: its ID and the
// encryption key the ledger registered for it.
func (d Directory) Recipient(ctx context.Context, enterpriseID string) (protocol.Recipient, error) {
	if err := validEnterprise(enterpriseID); err != nil {
		return protocol.Recipient{}, err
	}
	e, err := evaluate[model.Enterprise](ctx, d.Ledger, d.contract(), "GetEnterprise", enterpriseID)
	if err != nil {
		return protocol.Recipient{}, err
	}
	k, err := envelope.DecodePublicKey(e.EncryptionKey)
	if err != nil {
		return protocol.Recipient{}, fmt.Errorf("wallet: ledger encryption key of %s: %w", enterpriseID, err)
	}
	return protocol.Recipient{ID: e.ID, Key: k}, nil
}

// Auditor returns the platform auditor as provers see it: the audit key
// from GetPlatform and the regulator's encryption key from its enterprise
// record.
func (d Directory) Auditor(ctx context.Context) (protocol.Auditor, error) {
	p, err := evaluate[model.Platform](ctx, d.Ledger, d.contract(), "GetPlatform")
	if err != nil {
		return protocol.Auditor{}, err
	}
	ak, err := elgamal.DecodePublicKey(p.AuditKey)
	if err != nil {
		return protocol.Auditor{}, fmt.Errorf("wallet: ledger audit key: %w", err)
	}
	reg, err := d.Recipient(ctx, p.AuditorID)
	if err != nil {
		return protocol.Auditor{}, err
	}
	return protocol.Auditor{AuditKey: ak, EncryptionKey: reg.Key}, nil
}
