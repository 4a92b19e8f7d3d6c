package wallet

import (
	"context"

	"github.com/tierchain/tierchain/zk/envelope"
)

// PrivateKey returns an enterprise's HPKE private key, for a service of
// the same enterprise that opens envelopes itself (the regulator's audit
// service opens every RegulatorEnvelope on the ledger).
func (w *Wallet) PrivateKey(ctx context.Context, enterpriseID string) (*envelope.PrivateKey, error) {
	return w.privateKey(ctx, enterpriseID)
}
