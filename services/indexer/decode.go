package indexer

import (
	"encoding/json"
	"fmt"
	"strings"
	"unicode"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/internal/fabricclient"
)

// decodeEvent reads a "tierchain.v1" payload into a model.Event and checks
// what the read model relies on. Unknown fields are accepted: additive
// changes keep version 1.
func decodeEvent(ev fabricclient.Event) (model.Event, error) {
	var e model.Event
	bad := func(format string, args ...any) (model.Event, error) {
		return model.Event{}, &MalformedEventError{BlockNumber: ev.BlockNumber, TxID: ev.TxID, Reason: printable(fmt.Sprintf(format, args...))}
	}
	if err := json.Unmarshal(ev.Payload, &e); err != nil {
		return bad("payload is not an event: %v", err)
	}
	switch {
	case e.Version != model.EventVersion:
		return bad("version %d, want %d", e.Version, model.EventVersion)
	case e.TxID != ev.TxID:
		return bad("event names transaction %q", e.TxID)
	case e.Timestamp.IsZero():
		return bad("no timestamp")
	}
	// Kinds ("financing.request") and actors ("bootstrap", enterprise
	// IDs) have the shape of IDs; anything else (a NUL byte, which
	// PostgreSQL refuses in text, say) would fail the batch for ever.
	if err := firstError(model.ValidateID("kind", e.Kind), model.ValidateID("actor", e.Actor)); err != nil {
		return bad("%v", err)
	}
	for i, c := range e.Enterprises {
		if err := firstError(model.ValidateID("id", c.ID), knownRole(c.Role), knownEnterpriseStatus(c.Status)); err != nil {
			return bad("enterprises[%d]: %v", i, err)
		}
	}
	for i, c := range e.Invoices {
		if err := firstError(model.ValidateInvoiceID("id", c.ID), model.ValidateID("supplier", c.Supplier),
			model.ValidateID("buyer", c.Buyer), knownInvoiceStatus(c.Status)); err != nil {
			return bad("invoices[%d]: %v", i, err)
		}
	}
	for i, c := range e.CreditLines {
		if err := firstError(model.ValidateID("core", c.Core), model.ValidateID("bank", c.Bank)); err != nil {
			return bad("creditLines[%d]: %v", i, err)
		}
	}
	for i, c := range e.Tokens {
		err := firstError(model.ValidateID("id", c.ID), model.ValidateID("root", c.Root),
			model.ValidateID("holder", c.Holder), knownTokenStatus(c.Status))
		if err == nil && c.Bank != "" {
			err = model.ValidateID("bank", c.Bank)
		}
		if err != nil {
			return bad("tokens[%d]: %v", i, err)
		}
	}
	return e, nil
}

// printable keeps a reason storable in a text column: valid UTF-8, no
// control characters.
func printable(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return '?'
		}
		return r
	}, strings.ToValidUTF8(s, "?"))
}

func firstError(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func knownRole(r model.Role) error {
	if !r.Valid() {
		return fmt.Errorf("role %q unknown", r)
	}
	return nil
}

func knownEnterpriseStatus(s model.EnterpriseStatus) error {
	switch s {
	case model.EnterpriseActive, model.EnterpriseSuspended:
		return nil
	}
	return fmt.Errorf("status %q unknown", s)
}

func knownInvoiceStatus(s model.InvoiceStatus) error {
	switch s {
	case model.InvoiceRegistered, model.InvoiceConfirmed, model.InvoiceUsed, model.InvoiceRejected, model.InvoiceRevoked:
		return nil
	}
	return fmt.Errorf("status %q unknown", s)
}

// knownTokenStatus accepts the stored statuses; OVERDUE is derived on read
// and never stored, so an event carrying it is malformed.
func knownTokenStatus(s model.TokenStatus) error {
	switch s {
	case model.TokenActive, model.TokenSplit, model.TokenFinancing, model.TokenFinanced,
		model.TokenPaying, model.TokenSettled, model.TokenFrozen, model.TokenDefaulted, model.TokenRecourse:
		return nil
	}
	return fmt.Errorf("status %q unknown", s)
}
