package channelconfig

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"time"

	cb "github.com/hyperledger/fabric-protos-go-apiv2/common"
	ob "github.com/hyperledger/fabric-protos-go-apiv2/orderer"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"
)

func timestamp(t time.Time) *timestamppb.Timestamp { return timestamppb.New(t) }

// Orderer is an ordering node to submit updates to and fetch blocks from.
type Orderer struct {
	Address   string // host:port
	TLSCAPath string // PEM of its TLS CA
}

func (o Orderer) dial() (*grpc.ClientConn, error) {
	ca, err := os.ReadFile(o.TLSCAPath)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(ca) {
		return nil, fmt.Errorf("channelconfig: no certificate in %s", o.TLSCAPath)
	}
	return grpc.NewClient(o.Address, grpc.WithTransportCredentials(credentials.NewClientTLSFromCert(pool, "")))
}

// Submit sends the signed update to the orderer, in an envelope the
// submitter signs (the orderer checks it against the channel's Writers,
// and every config signature against the policies of what the update
// changes). ErrRefused, with the orderer's status and reason, if it does
// not accept it.
func Submit(ctx context.Context, o Orderer, u *Update, submitter *Signer) error {
	env, err := envelope(cb.HeaderType_CONFIG_UPDATE, u.Channel, &cb.ConfigUpdateEnvelope{ConfigUpdate: u.raw, Signatures: u.Signatures}, submitter)
	if err != nil {
		return err
	}
	var e cb.Envelope
	if err := proto.Unmarshal(env, &e); err != nil {
		return err
	}
	conn, err := o.dial()
	if err != nil {
		return err
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	stream, err := ob.NewAtomicBroadcastClient(conn).Broadcast(ctx)
	if err != nil {
		return fmt.Errorf("channelconfig: broadcast to %s: %w", o.Address, err)
	}
	if err := stream.Send(&e); err != nil {
		return fmt.Errorf("channelconfig: broadcast to %s: %w", o.Address, err)
	}
	resp, err := stream.Recv()
	if err != nil {
		return fmt.Errorf("channelconfig: broadcast to %s: %w", o.Address, err)
	}
	_ = stream.CloseSend()
	if resp.Status != cb.Status_SUCCESS {
		return fmt.Errorf("%w: %s: %s", ErrRefused, resp.Status, resp.Info)
	}
	return nil
}

// FetchConfig returns the newest config block of the channel, fetched
// from the orderer as reader (any identity the channel's Readers admit).
func FetchConfig(ctx context.Context, o Orderer, channel string, reader *Signer) ([]byte, error) {
	newest, err := fetchBlock(ctx, o, channel, reader, &ob.SeekPosition{Type: &ob.SeekPosition_Newest{Newest: &ob.SeekNewest{}}})
	if err != nil {
		return nil, err
	}
	idx, err := lastConfigIndex(newest)
	if err != nil {
		return nil, err
	}
	block, err := fetchBlock(ctx, o, channel, reader, &ob.SeekPosition{Type: &ob.SeekPosition_Specified{Specified: &ob.SeekSpecified{Number: idx}}})
	if err != nil {
		return nil, err
	}
	return proto.Marshal(block)
}

// FetchBlock returns block number of the channel (what a peer joins from:
// the newest config block, or the genesis block 0).
func FetchBlock(ctx context.Context, o Orderer, channel string, reader *Signer, number uint64) ([]byte, error) {
	b, err := fetchBlock(ctx, o, channel, reader, &ob.SeekPosition{Type: &ob.SeekPosition_Specified{Specified: &ob.SeekSpecified{Number: number}}})
	if err != nil {
		return nil, err
	}
	return proto.Marshal(b)
}

func fetchBlock(ctx context.Context, o Orderer, channel string, reader *Signer, pos *ob.SeekPosition) (*cb.Block, error) {
	env, err := envelope(cb.HeaderType_DELIVER_SEEK_INFO, channel, &ob.SeekInfo{Start: pos, Stop: pos, Behavior: ob.SeekInfo_BLOCK_UNTIL_READY}, reader)
	if err != nil {
		return nil, err
	}
	var e cb.Envelope
	if err := proto.Unmarshal(env, &e); err != nil {
		return nil, err
	}
	conn, err := o.dial()
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	stream, err := ob.NewAtomicBroadcastClient(conn).Deliver(ctx)
	if err != nil {
		return nil, fmt.Errorf("channelconfig: deliver from %s: %w", o.Address, err)
	}
	if err := stream.Send(&e); err != nil {
		return nil, fmt.Errorf("channelconfig: deliver from %s: %w", o.Address, err)
	}
	var block *cb.Block
	for {
		resp, err := stream.Recv()
		if err != nil {
			return nil, fmt.Errorf("channelconfig: deliver from %s: %w", o.Address, err)
		}
		switch t := resp.Type.(type) {
		case *ob.DeliverResponse_Block:
			block = t.Block
		case *ob.DeliverResponse_Status:
			if t.Status != cb.Status_SUCCESS {
				return nil, fmt.Errorf("%w: deliver: %s", ErrRefused, t.Status)
			}
			if block == nil {
				return nil, errors.New("channelconfig: deliver: no block")
			}
			return block, nil
		}
	}
}

// lastConfigIndex reads the number of the newest config block from a
// block's metadata (the orderer's signatures carry it).
func lastConfigIndex(b *cb.Block) (uint64, error) {
	md := b.GetMetadata().GetMetadata()
	if len(md) <= int(cb.BlockMetadataIndex_SIGNATURES) {
		return 0, fmt.Errorf("%w: block %d has no signatures metadata", ErrNotConfig, b.GetHeader().GetNumber())
	}
	var m cb.Metadata
	if err := proto.Unmarshal(md[cb.BlockMetadataIndex_SIGNATURES], &m); err != nil {
		return 0, fmt.Errorf("%w: %w", ErrNotConfig, err)
	}
	var osm cb.OrdererBlockMetadata
	if err := proto.Unmarshal(m.Value, &osm); err != nil {
		return 0, fmt.Errorf("%w: %w", ErrNotConfig, err)
	}
	if osm.LastConfig == nil {
		return 0, fmt.Errorf("%w: no last config in block %d", ErrNotConfig, b.GetHeader().GetNumber())
	}
	return osm.LastConfig.Index, nil
}

// Height returns the orderer's height of the channel (its newest block's
// number + 1), to tell when a joining peer has caught up.
func Height(ctx context.Context, o Orderer, channel string, reader *Signer) (uint64, error) {
	b, err := fetchBlock(ctx, o, channel, reader, &ob.SeekPosition{Type: &ob.SeekPosition_Newest{Newest: &ob.SeekNewest{}}})
	if err != nil {
		return 0, err
	}
	return b.GetHeader().GetNumber() + 1, nil
}
