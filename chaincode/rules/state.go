package rules

import "time"

// Identity is the submitter of a transaction: its MSP and the DER of its
// X.509 certificate.
type Identity struct {
	MSPID string
	Cert  []byte
}

// KV is one entry of a range read.
type KV struct {
	Key   string
	Value []byte
}

// State is what the rules need from the ledger and the proposal. Keys are
// composite keys built by this package (CompositeKey), in Fabric's format.
//
// As in Fabric, reads in a transaction see the state before it: the rules
// never read a key they wrote in the same transaction.
type State interface {
	GetState(key string) ([]byte, error)
	PutState(key string, value []byte) error
	DelState(key string) error
	// GetStateByPartialCompositeKey returns the entries under objectType and
	// the leading attrs in key order, at most limit+1 of them (so the
	// caller can tell that there were more than limit).
	GetStateByPartialCompositeKey(objectType string, attrs []string, limit int) ([]KV, error)
	// GetStateByPartialCompositeKeyWithPagination returns one page and the
	// bookmark of the next, empty when there is none. Queries only: Fabric
	// refuses paginated reads in transactions that write.
	GetStateByPartialCompositeKeyWithPagination(objectType string, attrs []string, pageSize int32, bookmark string) ([]KV, string, error)

	TxID() string
	TxTimestamp() (time.Time, error)
	Caller() (Identity, error)
	ChannelID() string
	ChaincodeName() (string, error)
	SetEvent(name string, payload []byte) error
}
