// Package channelconfig changes the membership of a running channel in Go:
// it reads a channel's config block, admits an application organisation
// from the newcomer's public definition (its CA and TLS CA certificates,
// NodeOU roles, anchor peer), removes one, suspends one (no identity of it
// can submit any more), computes the CONFIG_UPDATE as configtxlator would,
// collects the member admins' signatures (each signs on its own host: a
// file in, a signed file out) and submits it to an orderer.
//
// The channel's Application/Admins policy is MAJORITY Admins, so a change
// of membership needs the signatures of a majority of the application
// organisations' admins; Signatures tells who signed validly before the
// orderer is asked, and the orderer refuses an update with fewer
// (ErrRefused).
package channelconfig

import (
	"errors"
	"fmt"
	"maps"
	"slices"

	cb "github.com/hyperledger/fabric-protos-go-apiv2/common"
	"google.golang.org/protobuf/proto"
)

// Errors; each wraps one of these (errors.Is) and Code gives its stable code.
var (
	ErrNotConfig     = errors.New("channelconfig: not a channel config block")
	ErrNoChange      = errors.New("channelconfig: the update changes nothing")
	ErrOrgExists     = errors.New("channelconfig: an organisation with that MSP ID is already on the channel")
	ErrNoOrg         = errors.New("channelconfig: no such organisation on the channel")
	ErrDefinition    = errors.New("channelconfig: invalid organisation definition")
	ErrNotUpdate     = errors.New("channelconfig: not a config update envelope")
	ErrSignature     = errors.New("channelconfig: invalid signature")
	ErrTooFew        = errors.New("channelconfig: not enough admin signatures")
	ErrRefused       = errors.New("channelconfig: the orderer refused the update")
	ErrStaleUpdate   = errors.New("channelconfig: the update was computed against an older config")
	ErrLastWriterOrg = errors.New("channelconfig: no organisation would be left that can write")
)

// Code returns the stable code of an error of this package ("" for others).
func Code(err error) string {
	for _, c := range []struct {
		err  error
		code string
	}{
		{ErrNotConfig, "NOT_CONFIG"}, {ErrNoChange, "NO_CHANGE"}, {ErrOrgExists, "ORG_EXISTS"},
		{ErrNoOrg, "NO_SUCH_ORG"}, {ErrDefinition, "BAD_DEFINITION"}, {ErrNotUpdate, "NOT_UPDATE"},
		{ErrSignature, "BAD_SIGNATURE"}, {ErrTooFew, "TOO_FEW_SIGNATURES"}, {ErrRefused, "REFUSED"},
		{ErrStaleUpdate, "STALE_UPDATE"}, {ErrLastWriterOrg, "LAST_WRITER"},
	} {
		if errors.Is(err, c.err) {
			return c.code
		}
	}
	return ""
}

// Channel groups and policy names of a Fabric channel config.
const (
	applicationGroup = "Application"
	ordererGroup     = "Orderer"
	mspKey           = "MSP"
	anchorPeersKey   = "AnchorPeers"
	adminsPolicy     = "Admins"
	readersPolicy    = "Readers"
	writersPolicy    = "Writers"
	endorsementPol   = "Endorsement"
)

// FromBlock returns the config a config block carries and the channel's ID.
func FromBlock(block []byte) (*cb.Config, string, error) {
	var b cb.Block
	if err := proto.Unmarshal(block, &b); err != nil {
		return nil, "", fmt.Errorf("%w: %w", ErrNotConfig, err)
	}
	if b.Data == nil || len(b.Data.Data) != 1 {
		return nil, "", fmt.Errorf("%w: want one envelope", ErrNotConfig)
	}
	payload, chdr, err := openEnvelope(b.Data.Data[0])
	if err != nil {
		return nil, "", fmt.Errorf("%w: %w", ErrNotConfig, err)
	}
	if chdr.Type != int32(cb.HeaderType_CONFIG) {
		return nil, "", fmt.Errorf("%w: envelope of type %d", ErrNotConfig, chdr.Type)
	}
	var ce cb.ConfigEnvelope
	if err := proto.Unmarshal(payload.Data, &ce); err != nil {
		return nil, "", fmt.Errorf("%w: %w", ErrNotConfig, err)
	}
	cfg := ce.GetConfig()
	if cfg.GetChannelGroup().GetGroups()[applicationGroup] == nil {
		return nil, "", fmt.Errorf("%w: no Application group", ErrNotConfig)
	}
	return cfg, chdr.ChannelId, nil
}

// openEnvelope decodes an envelope's payload and channel header.
func openEnvelope(env []byte) (*cb.Payload, *cb.ChannelHeader, error) {
	var e cb.Envelope
	if err := proto.Unmarshal(env, &e); err != nil {
		return nil, nil, err
	}
	var p cb.Payload
	if err := proto.Unmarshal(e.Payload, &p); err != nil {
		return nil, nil, err
	}
	if p.Header == nil {
		return nil, nil, errors.New("no header")
	}
	var ch cb.ChannelHeader
	if err := proto.Unmarshal(p.Header.ChannelHeader, &ch); err != nil {
		return nil, nil, err
	}
	return &p, &ch, nil
}

// ApplicationOrgs lists the MSP IDs of the channel's application
// organisations.
func ApplicationOrgs(cfg *cb.Config) []string {
	return slices.Sorted(maps.Keys(cfg.GetChannelGroup().GetGroups()[applicationGroup].GetGroups()))
}

// Majority is how many application organisations' admins must sign a
// change to the Application group (its Admins policy: MAJORITY Admins).
func Majority(cfg *cb.Config) int { return len(ApplicationOrgs(cfg))/2 + 1 }
