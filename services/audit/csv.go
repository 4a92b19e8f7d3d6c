package audit

import (
	"encoding/csv"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/services/invoice"
)

// TokenCSVHeader is the token export's column order. It only grows at the
// end, so scripts that read columns by position keep working.
var TokenCSVHeader = []string{
	"token_id", "root", "parents", "tier", "issuer", "bank", "holder", "holder_role",
	"ledger_status", "status_at", "maturity", "days_overdue",
	"amount_minor", "amount", "reconciliation", "envelope_fault", "unopened_reason",
	"created_at", "tx_id", "currency", "as_of_block", "as_of_tx_id",
}

// WriteTokensCSV writes every token of the snapshot, one row each in the
// snapshot's order, with status and days overdue as of at, and the amount
// in minor units and as a decimal with its currency's decimals (both
// empty when UNOPENABLE), and that currency (ISO 4217; empty for a legacy
// token): a column of amounts mixes currencies, so sum it by currency. days_overdue is 0 unless the token is OVERDUE at at.
// Times are RFC 3339 in UTC; parents are joined with ';'. Every row ends
// with the snapshot's block height (as_of_block, as_of_tx_id): the export
// says which ledger it shows even when cut into pieces.
func (s *Snapshot) WriteTokensCSV(w io.Writer, at time.Time) error {
	cw := csv.NewWriter(w)
	asOfBlock := strconv.FormatUint(s.AsOf.Block, 10)
	if err := cw.Write(TokenCSVHeader); err != nil {
		return err
	}
	for _, it := range s.Tokens {
		t := it.Token
		status, days := t.EffectiveStatus(at), 0
		if status == model.TokenOverdue {
			days = daysOverdue(t.Maturity, at)
		}
		minor, dec := "", ""
		if it.Amount.Known() {
			minor, dec = strconv.FormatUint(it.Amount.Minor, 10), invoice.FormatMinor(it.Amount.Minor, model.MinorUnitExponent(t.Currency))
		}
		row := []string{
			t.ID, t.Root, strings.Join(t.Parents, ";"), strconv.Itoa(t.Tier), t.Issuer, t.Bank, t.Holder, string(s.Role(t.Holder)),
			string(t.Status), string(status), t.Maturity.UTC().Format(time.RFC3339), strconv.Itoa(days),
			minor, dec, string(it.Amount.Status), string(it.Amount.Envelope), string(it.Amount.Unopened),
			t.CreatedAt.UTC().Format(time.RFC3339), t.TxID, t.Currency, asOfBlock, s.AsOf.TxID,
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
