package model

import (
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/tierchain/tierchain/zk/balance"
	"github.com/tierchain/tierchain/zk/elgamal"
	"github.com/tierchain/tierchain/zk/envelope"
	"github.com/tierchain/tierchain/zk/oprf"
	"github.com/tierchain/tierchain/zk/pedersen"
	"github.com/tierchain/tierchain/zk/rangeproof"
)

// Validator is a request that checks its own shape: lengths, bounds and
// identifiers. Cryptographic validity is the rules' job.
type Validator interface {
	Validate() error
}

func invalid(format string, args ...any) error {
	return Errorf(CodeInvalidArgument, format, args...)
}

// ValidateID checks an enterprise or token ID: 1..MaxIDLength characters
// from [A-Za-z0-9._-], so IDs are safe in composite keys and logs.
func ValidateID(field, id string) error {
	if id == "" || len(id) > MaxIDLength {
		return invalid("%s: length must be 1..%d", field, MaxIDLength)
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return invalid("%s: character %q not allowed", field, c)
		}
	}
	return nil
}

// ValidateInvoiceID checks a hex fingerprint (lower case, 128 digits).
func ValidateInvoiceID(field, id string) error {
	if len(id) != 2*oprf.FingerprintSize {
		return invalid("%s: must be %d lower-case hex digits", field, 2*oprf.FingerprintSize)
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return invalid("%s: must be %d lower-case hex digits", field, 2*oprf.FingerprintSize)
		}
	}
	return nil
}

func validateText(field, s string, max int, required bool) error {
	if required && s == "" {
		return invalid("%s: required", field)
	}
	if len(s) > max || !utf8.ValidString(s) {
		return invalid("%s: at most %d bytes of UTF-8", field, max)
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return invalid("%s: control characters not allowed", field)
		}
	}
	return nil
}

// validateLegalID checks an optional legal identifier: printable ASCII
// without spaces (the canonical "scheme:value" forms are), at most
// MaxLegalIDLength bytes, so that it can be a composite key attribute.
func validateLegalID(field, s string) error {
	if len(s) > MaxLegalIDLength {
		return invalid("%s: at most %d characters", field, MaxLegalIDLength)
	}
	for i := 0; i < len(s); i++ {
		if s[i] <= 0x20 || s[i] >= 0x7f {
			return invalid("%s: printable ASCII without spaces only", field)
		}
	}
	return nil
}

func validateBytes(field string, b []byte, size int) error {
	if len(b) != size {
		return invalid("%s: must be %d bytes, got %d", field, size, len(b))
	}
	return nil
}

// validateOptionalBytes accepts an absent field or one of exactly size bytes.
func validateOptionalBytes(field string, b []byte, size int) error {
	if len(b) == 0 {
		return nil
	}
	return validateBytes(field, b, size)
}

// validateTime requires a set time in whole seconds, so that the instant a
// proof binds (Unix seconds) is exactly the instant stored.
func validateTime(field string, t time.Time) error {
	if t.IsZero() || t.Nanosecond() != 0 || t.Unix() <= 0 {
		return invalid("%s: required, whole seconds after 1970", field)
	}
	return nil
}

func firstError(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// Validate implements Validator.
func (r *RegisterEnterpriseRequest) Validate() error {
	if err := firstError(
		ValidateID("id", r.ID),
		validateText("name", r.Name, MaxNameLength, true),
		validateLegalID("legalId", r.LegalID),
		validateText("mspId", r.MSPID, MaxIDLength, true),
		validateBytes("encryptionKey", r.EncryptionKey, envelope.KeySize),
	); err != nil {
		return err
	}
	if !r.Role.Valid() {
		return invalid("role: %q is not a role", r.Role)
	}
	if len(r.Certificate) == 0 || len(r.Certificate) > MaxCertBytes {
		return invalid("certificate: 1..%d bytes of DER", MaxCertBytes)
	}
	if r.Role != RoleRegulator && len(r.AuditKey) != 0 {
		return invalid("auditKey: only a regulator has one")
	}
	if len(r.AuditKey) != 0 {
		return validateBytes("auditKey", r.AuditKey, elgamal.KeySize)
	}
	return nil
}

// Validate implements Validator.
func (r *RegisterInvoiceRequest) Validate() error {
	return firstError(
		validateBytes("fingerprint", r.Fingerprint, oprf.FingerprintSize),
		ValidateID("buyer", r.Buyer),
		validateBytes("documentHash", r.DocumentHash, HashSize),
		validateTime("dueDate", r.DueDate),
		validateCurrency("currency", r.Currency, true),
		validateBytes("commitment", r.Commitment, pedersen.CommitmentSize),
		validateBytes("handle", r.Handle, elgamal.HandleSize),
		validateBytes("rangeProof", r.RangeProof, rangeproof.Size(AmountBits, 1)),
		validateBytes("handleProof", r.HandleProof, elgamal.HandleProofSize),
		validateBytes("buyerEnvelope", r.BuyerEnvelope, envelope.SealedSize),
		validateBytes("regulatorEnvelope", r.RegulatorEnvelope, envelope.SealedSize),
		validateFiling(r.FilingEnvelope),
		validateAliases(r.Fingerprint, r.Aliases),
	)
}

// validateAliases checks an invoice's alias fingerprints: at most
// MaxInvoiceAliases, each a fingerprint, none repeated or equal to the
// fingerprint itself.
func validateAliases(fingerprint []byte, aliases [][]byte) error {
	if len(aliases) > MaxInvoiceAliases {
		return invalid("aliases: at most %d", MaxInvoiceAliases)
	}
	seen := map[string]bool{string(fingerprint): true}
	for i, a := range aliases {
		if err := validateBytes(fmt.Sprintf("aliases[%d]", i), a, oprf.FingerprintSize); err != nil {
			return err
		}
		if seen[string(a)] {
			return invalid("aliases[%d]: repeats a fingerprint", i)
		}
		seen[string(a)] = true
	}
	return nil
}

// validateFiling bounds an invoice's sealed filing: none, or an HPKE
// envelope of at most MaxFilingEnvelopeSize bytes.
func validateFiling(b []byte) error {
	if b == nil {
		return nil
	}
	if len(b) <= envelope.MessageOverhead || len(b) > MaxFilingEnvelopeSize {
		return invalid("filingEnvelope: %d..%d bytes", envelope.MessageOverhead+1, MaxFilingEnvelopeSize)
	}
	return nil
}

// Validate implements Validator.
func (r *InvoiceActionRequest) Validate() error {
	var fp error
	if r.Fingerprint != nil {
		fp = firstError(validateBytes("fingerprint", r.Fingerprint, oprf.FingerprintSize), validateAliases(r.Fingerprint, r.Aliases))
	} else if r.Aliases != nil {
		fp = invalid("aliases: only with a fingerprint")
	}
	return firstError(ValidateInvoiceID("invoice", r.Invoice), validateText("reason", r.Reason, MaxTextLength, false), fp)
}

// Validate implements Validator.
func (r *GrantCreditLineRequest) Validate() error {
	if r.Limit == 0 {
		return invalid("limit: must be positive")
	}
	return firstError(ValidateID("core", r.Core), validateCurrency("currency", r.Currency, true), validateTime("expiry", r.Expiry))
}

// IssueRangeValues is the number of values the issue's range proofs
// cover: the amount, the invoice headroom and the credit headroom.
const IssueRangeValues = 3

// Validate implements Validator.
func (r *IssueRequest) Validate() error {
	if err := firstError(
		ValidateID("holder", r.Holder),
		ValidateID("bank", r.Bank),
		validateCurrency("currency", r.Currency, false),
		validateTime("maturity", r.Maturity),
		validateBytes("commitment", r.Commitment, pedersen.CommitmentSize),
		validateBytes("handle", r.Handle, elgamal.HandleSize),
		validateBytes("holderEnvelope", r.HolderEnvelope, envelope.SealedSize),
		validateBytes("regulatorEnvelope", r.RegulatorEnvelope, envelope.SealedSize),
		validateBytes("issuerEnvelope", r.IssuerEnvelope, envelope.SealedSize),
		validateOptionalBytes("bankEnvelope", r.BankEnvelope, envelope.SealedSize),
		validateBytes("handleProof", r.HandleProof, elgamal.HandleProofSize),
		validateRefs("refs", r.Refs),
	); err != nil {
		return err
	}
	if err := validateRangeProofs(r.RangeProofs, IssueRangeValues); err != nil {
		return err
	}
	if len(r.Invoices) == 0 || len(r.Invoices) > MaxInvoices {
		return invalid("invoices: 1..%d", MaxInvoices)
	}
	for i, id := range r.Invoices {
		if err := ValidateInvoiceID(fmt.Sprintf("invoices[%d]", i), id); err != nil {
			return err
		}
	}
	return noDuplicates("invoices", r.Invoices)
}

// Validate implements Validator.
func (o *Output) Validate(i int) error {
	f := func(name string) string { return fmt.Sprintf("outputs[%d].%s", i, name) }
	return firstError(
		ValidateID(f("holder"), o.Holder),
		validateBytes(f("commitment"), o.Commitment, pedersen.CommitmentSize),
		validateBytes(f("handle"), o.Handle, elgamal.HandleSize),
		validateBytes(f("handleProof"), o.HandleProof, elgamal.HandleProofSize),
		validateBytes(f("rangeProof"), o.RangeProof, rangeproof.Size(AmountBits, 1)),
		validateBytes(f("holderEnvelope"), o.HolderEnvelope, envelope.SealedSize),
		validateBytes(f("regulatorEnvelope"), o.RegulatorEnvelope, envelope.SealedSize),
		validateRefs(f("refs"), o.Refs),
	)
}

// Validate implements Validator.
func (r *SplitRequest) Validate() error {
	if len(r.Inputs) == 0 || len(r.Inputs) > MaxInputs {
		return invalid("inputs: 1..%d", MaxInputs)
	}
	if len(r.Outputs) == 0 || len(r.Outputs) > MaxOutputs {
		return invalid("outputs: 1..%d", MaxOutputs)
	}
	for i, id := range r.Inputs {
		if err := ValidateID(fmt.Sprintf("inputs[%d]", i), id); err != nil {
			return err
		}
	}
	if err := noDuplicates("inputs", r.Inputs); err != nil {
		return err
	}
	for i := range r.Outputs {
		if err := r.Outputs[i].Validate(i); err != nil {
			return err
		}
	}
	return validateBytes("balanceProof", r.BalanceProof, balance.ProofSize)
}

// Validate implements Validator.
func (r *FinanceRequest) Validate() error {
	return firstError(ValidateID("token", r.Token), ValidateID("bank", r.Bank),
		validateBytes("bankEnvelope", r.BankEnvelope, envelope.SealedSize), validateRefs("refs", r.Refs))
}

// Validate implements Validator.
func (r *ApproveFinancingRequest) Validate() error {
	return firstError(ValidateID("token", r.Token),
		validateText("disbursementRef", r.DisbursementRef, MaxTextLength, true),
		validateBytes("agreementHash", r.AgreementHash, HashSize))
}

// Validate implements Validator.
func (r *TokenActionRequest) Validate() error {
	return firstError(ValidateID("token", r.Token), validateText("reason", r.Reason, MaxTextLength, false))
}

// Validate implements Validator: the owner is an enterprise ID.
func (r *PageRequest) Validate() error {
	if err := r.validatePage(); err != nil {
		return err
	}
	return ValidateID("owner", r.Owner)
}

// ValidateRoleFilter validates the request of Enterprises, whose owner is
// a role to filter by, or empty for every enterprise.
func (r *PageRequest) ValidateRoleFilter() error {
	if err := r.validatePage(); err != nil {
		return err
	}
	if r.Owner != "" && !Role(r.Owner).Valid() {
		return invalid("owner: a role (core, supplier, bank, regulator, operator) or empty")
	}
	return nil
}

// validatePage checks the page size (0 means DefaultPageSize) and the
// bookmark.
func (r *PageRequest) validatePage() error {
	if r.PageSize < 0 || r.PageSize > MaxPageSize {
		return invalid("pageSize: 0..%d", MaxPageSize)
	}
	if r.PageSize == 0 {
		r.PageSize = DefaultPageSize
	}
	// A bookmark is opaque (a ledger key, with U+0000 separators): only
	// its size and encoding are checked.
	if len(r.Bookmark) > MaxBookmarkLength || !utf8.ValidString(r.Bookmark) {
		return invalid("bookmark: at most %d bytes of UTF-8", MaxBookmarkLength)
	}
	return nil
}

func noDuplicates(field string, ids []string) error {
	for i := range ids {
		for j := range i {
			if ids[i] == ids[j] {
				return invalid("%s: %q listed twice", field, ids[i])
			}
		}
	}
	return nil
}

// validateRangeProofs checks a request's range proofs: exactly n, each the
// size of one proof over AmountBits.
func validateRangeProofs(proofs [][]byte, n int) error {
	if len(proofs) != n {
		return invalid("rangeProofs: exactly %d", n)
	}
	for i, p := range proofs {
		if err := validateBytes(fmt.Sprintf("rangeProofs[%d]", i), p, rangeproof.Size(AmountBits, 1)); err != nil {
			return err
		}
	}
	return nil
}
