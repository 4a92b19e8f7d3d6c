package contract

import (
	"crypto/x509"
	"time"

	"github.com/hyperledger/fabric-chaincode-go/v2/pkg/cid"
	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
	"github.com/hyperledger/fabric-protos-go-apiv2/common"
	"github.com/hyperledger/fabric-protos-go-apiv2/ledger/queryresult"
	"github.com/hyperledger/fabric-protos-go-apiv2/peer"
	"github.com/tierchain/tierchain/chaincode/rules"
	"github.com/tierchain/tierchain/chaincode/rules/rulestest"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// fakeStub is the part of shim.ChaincodeStubInterface the adapter uses,
// over a rulestest.Memory; any other method panics (nil embedded
// interface), which is how a test would notice the adapter reaching for
// more.
type fakeStub struct {
	shim.ChaincodeStubInterface
	mem      *rulestest.Memory
	proposal *peer.SignedProposal
	bookmark string // what the fake "peer" returns as the next bookmark
}

func (s *fakeStub) GetState(k string) ([]byte, error)                { return s.mem.GetState(k) }
func (s *fakeStub) PutState(k string, v []byte) error                { return s.mem.PutState(k, v) }
func (s *fakeStub) DelState(k string) error                          { return s.mem.DelState(k) }
func (s *fakeStub) GetTxID() string                                  { return s.mem.Tx }
func (s *fakeStub) GetChannelID() string                             { return s.mem.Channel }
func (s *fakeStub) SetEvent(n string, p []byte) error                { return s.mem.SetEvent(n, p) }
func (s *fakeStub) GetSignedProposal() (*peer.SignedProposal, error) { return s.proposal, nil }
func (s *fakeStub) GetTxTimestamp() (*timestamppb.Timestamp, error) {
	return timestamppb.New(s.mem.Now), nil
}

func (s *fakeStub) GetStateByPartialCompositeKey(objectType string, attrs []string) (shim.StateQueryIteratorInterface, error) {
	kvs, err := s.mem.GetStateByPartialCompositeKey(objectType, attrs, 1<<20)
	return &iterator{kvs: kvs}, err
}

func (s *fakeStub) GetStateByPartialCompositeKeyWithPagination(objectType string, attrs []string, pageSize int32, bookmark string) (shim.StateQueryIteratorInterface, *peer.QueryResponseMetadata, error) {
	kvs, next, err := s.mem.GetStateByPartialCompositeKeyWithPagination(objectType, attrs, pageSize, bookmark)
	if next == "" {
		next = s.bookmark // Fabric returns a bookmark even after the last page
	}
	return &iterator{kvs: kvs}, &peer.QueryResponseMetadata{FetchedRecordsCount: int32(len(kvs)), Bookmark: next}, err
}

type iterator struct{ kvs []rules.KV }

func (it *iterator) HasNext() bool { return len(it.kvs) > 0 }
func (it *iterator) Close() error  { return nil }
func (it *iterator) Next() (*queryresult.KV, error) {
	kv := it.kvs[0]
	it.kvs = it.kvs[1:]
	return &queryresult.KV{Key: kv.Key, Value: kv.Value}, nil
}

// fakeIdentity is a client identity of an MSP and certificate.
type fakeIdentity struct {
	cid.ClientIdentity
	id rules.Identity
}

func (f fakeIdentity) GetMSPID() (string, error) { return f.id.MSPID, nil }
func (f fakeIdentity) GetX509Certificate() (*x509.Certificate, error) {
	return x509.ParseCertificate(f.id.Cert)
}

// signedProposal is a proposal that invokes chaincode name.
func signedProposal(name string) *peer.SignedProposal {
	ext, _ := proto.Marshal(&peer.ChaincodeHeaderExtension{ChaincodeId: &peer.ChaincodeID{Name: name}})
	ch, _ := proto.Marshal(&common.ChannelHeader{ChannelId: "tierchain", Extension: ext})
	hdr, _ := proto.Marshal(&common.Header{ChannelHeader: ch})
	prop, _ := proto.Marshal(&peer.Proposal{Header: hdr})
	return &peer.SignedProposal{ProposalBytes: prop}
}

// context returns a transaction context for the memory's current
// transaction, as submitted by id.
func context(mem *rulestest.Memory, id rules.Identity, now time.Time) *contractapi.TransactionContext {
	mem.Begin(id, "tx-"+now.Format("150405.000"), now)
	ctx := new(contractapi.TransactionContext)
	ctx.SetStub(&fakeStub{mem: mem, proposal: signedProposal(mem.Chaincode), bookmark: "\x00stale"})
	ctx.SetClientIdentity(fakeIdentity{id: id})
	return ctx
}
