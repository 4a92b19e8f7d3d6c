package fabricclient

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/hyperledger/fabric-protos-go-apiv2/common"
	"google.golang.org/protobuf/proto"
)

// ChainHeight asks this client's own peer (qscc GetChainInfo) for the last
// block it has committed, and reads that block (qscc GetBlockByNumber) for
// its last transaction's ID ("" for a block without one).
//
// The peer answers GetChainInfo only between block commits: it holds one
// lock from the block store's append to the end of the state database's
// commit, and GetChainInfo waits on it. So a height read after a query
// is at least the block whose state that query saw.
func (c *Client) ChainHeight(ctx context.Context) (block uint64, txID string, err error) {
	raw, err := c.qsccCall(ctx, "GetChainInfo", "")
	if err != nil {
		return 0, "", err
	}
	var info common.BlockchainInfo
	if err := proto.Unmarshal(raw, &info); err != nil {
		return 0, "", fmt.Errorf("fabricclient: chain info: %w", err)
	}
	if info.Height == 0 {
		return 0, "", errors.New("fabricclient: the peer's channel has no block")
	}
	block = info.Height - 1
	raw, err = c.qsccCall(ctx, "GetBlockByNumber", "", strconv.FormatUint(block, 10))
	if err != nil {
		return 0, "", err
	}
	if txID, err = LastTxID(raw, block); err != nil {
		return 0, "", err
	}
	return block, txID, nil
}

// LastTxID decodes a block (qscc GetBlockByNumber's answer), checks that
// it is block number, and returns the ID of its last transaction ("" when
// no envelope of the block carries one).
func LastTxID(b []byte, number uint64) (string, error) {
	var block common.Block
	if err := proto.Unmarshal(b, &block); err != nil {
		return "", fmt.Errorf("fabricclient: block: %w", err)
	}
	if block.Header == nil {
		return "", errors.New("fabricclient: block without a header")
	}
	if block.Header.Number != number {
		return "", fmt.Errorf("fabricclient: asked for block %d, the peer returned block %d", number, block.Header.Number)
	}
	data := block.GetData().GetData()
	for i := len(data) - 1; i >= 0; i-- {
		var env common.Envelope
		var payload common.Payload
		var chdr common.ChannelHeader
		if proto.Unmarshal(data[i], &env) != nil || proto.Unmarshal(env.Payload, &payload) != nil ||
			payload.Header == nil || proto.Unmarshal(payload.Header.ChannelHeader, &chdr) != nil {
			continue
		}
		if chdr.TxId != "" {
			return chdr.TxId, nil
		}
	}
	return "", nil
}
