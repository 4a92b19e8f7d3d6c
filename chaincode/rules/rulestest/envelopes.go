package rulestest

import (
	"crypto/sha256"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/protocol"
	"github.com/tierchain/tierchain/zk/envelope"
	"github.com/tierchain/tierchain/zk/group"
	"github.com/tierchain/tierchain/zk/pedersen"
)

// LyingEnvelope is a holder envelope a dishonest sender can put on an
// output: the chaincode accepts it (it cannot open it), the recipient's
// wallet cannot open the output's commitment with it.
type LyingEnvelope struct {
	Name     string
	Envelope []byte
	Reason   model.DisputeReason // what the recipient's wallet finds
}

// LyingEnvelopes returns one lying holder envelope of each kind for an
// output opened by o and held by to: sealed to to's key and bound to the
// commitment, but carrying a wrong value or a wrong blinding; random
// bytes; and the right opening sealed to another key.
func LyingEnvelopes(to *envelope.PublicKey, o pedersen.Opening) []LyingEnvelope {
	b := protocol.OutputBinding(o.Commitment(), protocol.PurposeHolder)
	wrongValue := pedersen.Opening{Value: o.Value + 1, Blinding: o.Blinding}
	wrongBlinding := pedersen.Opening{Value: o.Value, Blinding: group.NewScalar().Add(o.Blinding, group.NewScalar().SetUint64(1))}
	other := must(envelope.GenerateKey(nil))
	garbage := make([]byte, 0, envelope.SealedSize)
	for i := byte(0); len(garbage) < envelope.SealedSize; i++ {
		h := sha256.Sum256([]byte{i})
		garbage = append(garbage, h[:]...)
	}
	return []LyingEnvelope{
		{"wrong value", must(envelope.Seal(to, wrongValue, b, nil)), model.DisputeWrongOpening},
		{"wrong blinding", must(envelope.Seal(to, wrongBlinding, b, nil)), model.DisputeWrongOpening},
		{"garbage", garbage[:envelope.SealedSize], model.DisputeUndecryptable},
		{"wrong key", must(envelope.Seal(other.Public(), o, b, nil)), model.DisputeUndecryptable},
	}
}

// Lying is an output of o to p whose holder envelope is env.
func Lying(p *Party, o pedersen.Opening, env []byte) protocol.OutputSpec {
	return protocol.OutputSpec{Holder: p.Recipient(), Opening: o, HolderEnvelope: env}
}
