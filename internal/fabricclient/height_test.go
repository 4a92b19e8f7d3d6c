package fabricclient

import (
	"context"
	"testing"

	"github.com/hyperledger/fabric-protos-go-apiv2/common"
	"github.com/hyperledger/fabric-protos-go-apiv2/gateway"
	"github.com/hyperledger/fabric-protos-go-apiv2/peer"
)

// TestChainHeight runs ChainHeight against the fake peer: GetChainInfo's
// height less one is the last block, whose last transaction it names; a
// peer answering with another block, or with no block at all, is an
// error.
func TestChainHeight(t *testing.T) {
	for _, tc := range []struct {
		name    string
		height  uint64
		block   []byte
		want    uint64
		wantTx  string
		wantErr bool
	}{
		{"last tx of the last block", 42, blockWith(t, 41, "tx8", "tx9"), 41, "tx9", false},
		{"another block", 42, blockWith(t, 40, "tx9"), 0, "", true},
		{"no block", 0, nil, 0, "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var asked [][]string
			f := &fakeGateway{evaluate: func(ctx context.Context, r *gateway.EvaluateRequest) (*gateway.EvaluateResponse, error) {
				args := qsccArgs(t, r)
				asked = append(asked, args)
				payload := tc.block
				if args[0] == "GetChainInfo" {
					payload = must(t, &common.BlockchainInfo{Height: tc.height})
				}
				return &gateway.EvaluateResponse{Result: &peer.Response{Status: 200, Payload: payload}}, nil
			}}
			c := startFakeWith(t, f, Options{MSPID: "RegulatorMSP"})
			block, tx, err := c.ChainHeight(context.Background())
			if (err != nil) != tc.wantErr || block != tc.want || tx != tc.wantTx {
				t.Fatalf("block %d tx %q err %v, want %d %q (error %v)", block, tx, err, tc.want, tc.wantTx, tc.wantErr)
			}
			if len(asked[0]) != 2 || asked[0][0] != "GetChainInfo" || asked[0][1] != "scf" {
				t.Errorf("asked %q", asked[0])
			}
			if tc.height > 0 && (len(asked) != 2 || len(asked[1]) != 3 || asked[1][0] != "GetBlockByNumber" || asked[1][2] != "41") {
				t.Errorf("asked %q", asked)
			}
		})
	}
}

// FuzzLastTxID: a peer's answer never panics the parser, and a transaction
// ID comes only from the block asked for.
func FuzzLastTxID(f *testing.F) {
	f.Add([]byte{}, uint64(7))
	f.Add([]byte("\x0a\x02\x08\x07"), uint64(7))
	f.Fuzz(func(t *testing.T, b []byte, n uint64) {
		tx, err := LastTxID(b, n)
		if err != nil && tx != "" {
			t.Fatalf("error %v with transaction %q", err, tx)
		}
	})
}
