package api

import (
	"context"
	"sync"

	"github.com/tierchain/tierchain/chaincode/protocol"
	"github.com/tierchain/tierchain/services/wallet"
)

// keyCache remembers the public keys proofs are sealed to: an enterprise's
// encryption key and the platform's auditor are written once on the ledger
// and never change, so each is read once per process. (Whether a
// recipient may still receive is the chaincode's to check, and it does.)
type keyCache struct {
	mu         sync.Mutex
	recipients map[string]protocol.Recipient
	auditor    *protocol.Auditor
}

// maxCachedRecipients bounds the cache; past it, lookups go to the ledger.
const maxCachedRecipients = 100_000

func newKeyCache() *keyCache { return &keyCache{recipients: map[string]protocol.Recipient{}} }

func (k *keyCache) recipient(ctx context.Context, l wallet.Ledger, id string) (protocol.Recipient, error) {
	k.mu.Lock()
	r, ok := k.recipients[id]
	k.mu.Unlock()
	if ok {
		return r, nil
	}
	r, err := wallet.Directory{Ledger: l, Contract: Contract}.Recipient(ctx, id)
	if err != nil {
		return r, err
	}
	k.mu.Lock()
	if len(k.recipients) < maxCachedRecipients {
		k.recipients[id] = r
	}
	k.mu.Unlock()
	return r, nil
}

func (k *keyCache) auditorOf(ctx context.Context, l wallet.Ledger) (protocol.Auditor, error) {
	k.mu.Lock()
	a := k.auditor
	k.mu.Unlock()
	if a != nil {
		return *a, nil
	}
	got, err := wallet.Directory{Ledger: l, Contract: Contract}.Auditor(ctx)
	if err != nil {
		return got, err
	}
	k.mu.Lock()
	k.auditor = &got
	k.mu.Unlock()
	return got, nil
}
