package contract

import (
	"fmt"
	"time"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
	"github.com/hyperledger/fabric-protos-go-apiv2/common"
	"github.com/hyperledger/fabric-protos-go-apiv2/peer"
	"github.com/tierchain/tierchain/chaincode/rules"
	"google.golang.org/protobuf/proto"
)

// stubState implements rules.State over a transaction context.
type stubState struct {
	ctx contractapi.TransactionContextInterface
}

var _ rules.State = stubState{}

func newState(ctx contractapi.TransactionContextInterface) stubState { return stubState{ctx: ctx} }

func (s stubState) GetState(key string) ([]byte, error) { return s.ctx.GetStub().GetState(key) }
func (s stubState) PutState(key string, value []byte) error {
	return s.ctx.GetStub().PutState(key, value)
}
func (s stubState) DelState(key string) error { return s.ctx.GetStub().DelState(key) }
func (s stubState) TxID() string              { return s.ctx.GetStub().GetTxID() }
func (s stubState) ChannelID() string         { return s.ctx.GetStub().GetChannelID() }

func (s stubState) SetEvent(name string, payload []byte) error {
	return s.ctx.GetStub().SetEvent(name, payload)
}

func (s stubState) GetStateByPartialCompositeKey(objectType string, attrs []string, limit int) ([]rules.KV, error) {
	it, err := s.ctx.GetStub().GetStateByPartialCompositeKey(objectType, attrs)
	if err != nil {
		return nil, err
	}
	defer it.Close()
	var out []rules.KV
	for it.HasNext() && len(out) <= limit {
		kv, err := it.Next()
		if err != nil {
			return nil, err
		}
		out = append(out, rules.KV{Key: kv.GetKey(), Value: kv.GetValue()})
	}
	return out, nil
}

func (s stubState) GetStateByPartialCompositeKeyWithPagination(objectType string, attrs []string, pageSize int32, bookmark string) ([]rules.KV, string, error) {
	it, meta, err := s.ctx.GetStub().GetStateByPartialCompositeKeyWithPagination(objectType, attrs, pageSize, bookmark)
	if err != nil {
		return nil, "", err
	}
	defer it.Close()
	var out []rules.KV
	for it.HasNext() {
		kv, err := it.Next()
		if err != nil {
			return nil, "", err
		}
		out = append(out, rules.KV{Key: kv.GetKey(), Value: kv.GetValue()})
	}
	// Fabric returns a bookmark even after the last page; an empty one
	// means "no further page" to our callers.
	next := meta.GetBookmark()
	if int32(len(out)) < pageSize {
		next = ""
	}
	return out, next, nil
}

func (s stubState) TxTimestamp() (time.Time, error) {
	ts, err := s.ctx.GetStub().GetTxTimestamp()
	if err != nil {
		return time.Time{}, err
	}
	if err := ts.CheckValid(); err != nil {
		return time.Time{}, err
	}
	return ts.AsTime(), nil
}

func (s stubState) Caller() (rules.Identity, error) {
	id := s.ctx.GetClientIdentity()
	msp, err := id.GetMSPID()
	if err != nil {
		return rules.Identity{}, err
	}
	cert, err := id.GetX509Certificate()
	if err != nil {
		return rules.Identity{}, err
	}
	if cert == nil {
		return rules.Identity{}, fmt.Errorf("creator has no X.509 certificate")
	}
	return rules.Identity{MSPID: msp, Cert: cert.Raw}, nil
}

// ChaincodeName reads the invoked chaincode's name from the signed
// proposal's channel header, so proofs bind the name the peer ran.
func (s stubState) ChaincodeName() (string, error) {
	sp, err := s.ctx.GetStub().GetSignedProposal()
	if err != nil {
		return "", err
	}
	prop, hdr, ch, ext := new(peer.Proposal), new(common.Header), new(common.ChannelHeader), new(peer.ChaincodeHeaderExtension)
	// Each message is nested, as bytes, in the one before; the getters are
	// method values on pointers, so they read each message once it is filled.
	for _, step := range []struct {
		raw func() []byte
		msg proto.Message
	}{{sp.GetProposalBytes, prop}, {prop.GetHeader, hdr}, {hdr.GetChannelHeader, ch}, {ch.GetExtension, ext}} {
		if err := proto.Unmarshal(step.raw(), step.msg); err != nil {
			return "", fmt.Errorf("signed proposal: %T: %w", step.msg, err)
		}
	}
	name := ext.GetChaincodeId().GetName()
	if name == "" {
		return "", fmt.Errorf("proposal names no chaincode")
	}
	return name, nil
}
