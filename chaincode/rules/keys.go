package rules

import (
	"strings"
	"unicode/utf8"

	"github.com/tierchain/tierchain/chaincode/model"
)

// Object types of the composite keys. Values of the index types are
// indexValue; the record is loaded by the ID in the key's last attribute.
// A receivable's tokens need no index: they descend from its root through
// each token's Children. (Ledgers from before may hold "tc.token.root"
// entries; nothing reads them.)
const (
	objEnterprise       = "tc.enterprise"      // id → Enterprise
	objEnterpriseByRole = "tc.enterprise.role" // role, id → index
	objIdentity         = "tc.identity"        // mspID, certHash → enterprise ID
	objLegalID          = "tc.legalid"         // legal ID → enterprise ID (each legal ID names one enterprise)
	objPlatform         = "tc.platform"        // "audit" → Platform; "bootstrap" → marker
	objInvoice          = "tc.invoice"         // fingerprint hex → Invoice
	objInvoiceUsed      = "tc.invoice.used"    // fingerprint hex → used marker of an issued invoice (used.go)
	objInvoiceBySupp    = "tc.invoice.sup"     // supplier, invoice → index
	objInvoiceByBuyer   = "tc.invoice.buy"     // buyer, invoice → index
	objCreditLine       = "tc.creditline"      // core, bank, currency → CreditLine (legacy: core, bank)
	objToken            = "tc.token"           // id → Token
	objSpent            = "tc.spent"           // id → spent marker of a spent input (spent.go)
	objTokenByHolder    = "tc.token.hold"      // holder, token → index
	objTokenByIssuer    = "tc.token.iss"       // issuer, token → index
	objFinancingForBank = "tc.fin.bank"        // bank, token → index (pending requests)
	objLeaf             = "tc.leaf"            // root, token → index: the receivable's unspent, unsettled tokens
	objRFQ              = "tc.rfq"             // id → RFQ
	objRFQForBank       = "tc.rfq.bank"        // bank, rfq → index (the banks invited)
	objRFQByHolder      = "tc.rfq.hold"        // requester, rfq → index
	objQuote            = "tc.quote"           // id → Quote
	objQuoteByRFQ       = "tc.quote.rfq"       // rfq, quote → index
	objResaleForBank    = "tc.resale.bank"     // buyer, token → index (pending resale offers)
)

// indexValue is the value of index entries (Fabric deletes a key written
// with an empty value).
var indexValue = []byte{0}

const (
	compositeKeyNamespace = "\x00"
	minUnicodeRuneValue   = 0
)

// CompositeKey builds a key exactly as Fabric's shim.CreateCompositeKey
// does: U+0000, then the object type and each attribute, each followed by
// U+0000. Attributes come from validated IDs, MSP IDs and hex hashes.
func CompositeKey(objectType string, attrs ...string) string {
	var b strings.Builder
	b.WriteString(compositeKeyNamespace)
	b.WriteString(objectType)
	b.WriteRune(minUnicodeRuneValue)
	for _, a := range attrs {
		b.WriteString(a)
		b.WriteRune(minUnicodeRuneValue)
	}
	return b.String()
}

// SplitCompositeKey is the inverse of CompositeKey.
func SplitCompositeKey(key string) (string, []string) {
	if !strings.HasPrefix(key, compositeKeyNamespace) {
		return "", nil
	}
	parts := strings.Split(key[1:], "\x00")
	if len(parts) < 2 {
		return "", nil
	}
	return parts[0], parts[1 : len(parts)-1]
}

// validKeyAttr reports whether s can be a composite key attribute.
func validKeyAttr(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsRune(s, 0) && !strings.ContainsRune(s, utf8.MaxRune)
}

func enterpriseKey(id string) string          { return CompositeKey(objEnterprise, id) }
func identityKey(msp, certHash string) string { return CompositeKey(objIdentity, msp, certHash) }
func legalIDKey(legalID string) string        { return CompositeKey(objLegalID, legalID) }
func platformKey() string                     { return CompositeKey(objPlatform, "audit") }
func bootstrapKey() string                    { return CompositeKey(objPlatform, "bootstrap") }
func invoiceKey(id string) string             { return CompositeKey(objInvoice, id) }

// creditLineKey is the key of core's line at bank in currency: (core,
// bank, currency), or (core, bank) for a legacy line (currency "").
func creditLineKey(core, bank, currency string) string {
	if currency == "" {
		return CompositeKey(objCreditLine, core, bank)
	}
	return CompositeKey(objCreditLine, core, bank, currency)
}

func tokenKey(id string) string { return CompositeKey(objToken, id) }
func rfqKey(id string) string   { return CompositeKey(objRFQ, id) }
func quoteKey(id string) string { return CompositeKey(objQuote, id) }

// lastAttr is the ID at the end of an index key.
func lastAttr(key string) (string, error) {
	_, attrs := SplitCompositeKey(key)
	if len(attrs) == 0 {
		return "", model.Errorf(model.CodeInternal, "malformed index key")
	}
	return attrs[len(attrs)-1], nil
}
