package chain

import (
	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/protocol"
	"github.com/tierchain/tierchain/zk/elgamal"
	"github.com/tierchain/tierchain/zk/envelope"
	"github.com/tierchain/tierchain/zk/pedersen"
)

// SplitProver builds complete split requests locally, as a holder's
// wallet does before it sends one: fresh output openings, the outputs'
// commitments, handles and envelopes, the balance proof, a handle proof
// and a 64-bit range proof per output.
type SplitProver struct {
	ctx     protocol.Context
	auditor protocol.Auditor
	input   protocol.OpenedToken
	to      []protocol.Recipient
}

// NewSplitProver returns a prover of 1-in/outputs-out splits with keys of
// its own (no network).
func NewSplitProver(outputs int) (*SplitProver, error) {
	ak, err := elgamal.GenerateKey(nil)
	if err != nil {
		return nil, err
	}
	reg, err := envelope.GenerateKey(nil)
	if err != nil {
		return nil, err
	}
	in, err := pedersen.NewOpening(RootAmount, nil)
	if err != nil {
		return nil, err
	}
	p := &SplitProver{ctx: protocol.Context{Channel: "scf", Chaincode: "tierchain"},
		auditor: protocol.Auditor{AuditKey: ak.Public(), EncryptionKey: reg.Public()},
		input:   protocol.OpenedToken{ID: protocol.TokenID("prove", 0), Currency: Currency, Opening: in}}
	for i := range outputs {
		k, err := envelope.GenerateKey(nil)
		if err != nil {
			return nil, err
		}
		p.to = append(p.to, protocol.Recipient{ID: []string{"tier2", "tier1"}[min(i, 1)], Key: k.Public()})
	}
	return p, nil
}

// Build builds one split request.
func (p *SplitProver) Build() (*model.SplitRequest, error) {
	req, _, err := evenSplit(p.ctx, p.auditor, "tier1", p.input, p.to)
	return req, err
}
