package fabnet

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	cb "github.com/hyperledger/fabric-protos-go-apiv2/common"
	"google.golang.org/protobuf/proto"
)

// lockRegulatorWriters takes every Regulator identity out of the channel's
// Writers once the chaincode is deployed.
//
// The Regulator's admin must approve the chaincode definition (the approval
// is what maps the definition to the package installed on its peer, so the
// peer can run queries), and an approval is a transaction the orderer only
// accepts from a writer. So the channel starts with the Regulator's admin as
// its org's only writer; after the definition is committed, that admin
// replaces its org's Writers policy (mod_policy: the org's own Admins) by
// one no identity satisfies. From then on the orderer refuses every
// transaction, and every further config update, that a Regulator identity
// submits. A later chaincode upgrade needs a config update signed by the
// Regulator's admin and submitted by another org (docs/OPERATIONS.md).
func (n *Network) lockRegulatorWriters(ctx context.Context) error {
	for _, o := range n.Layout.Orgs {
		if o.Role != RoleRegulator {
			continue
		}
		block := filepath.Join(n.p.Config(), "config-before-regulator-lock.block")
		fetch := append([]string{"channel", "fetch", "config", block, "-c", ChannelName}, n.ordererArgs()...)
		if err := n.peerCLI(ctx, o, fetch...); err != nil {
			return err
		}
		b, err := os.ReadFile(block)
		if err != nil {
			return err
		}
		env, err := noWritersUpdate(b, ChannelName, o.MSPID)
		if err != nil {
			return err
		}
		file := filepath.Join(n.p.Config(), "regulator-no-writers.tx")
		if err := os.WriteFile(file, env, 0o644); err != nil {
			return err
		}
		update := append([]string{"channel", "update", "-f", file, "-c", ChannelName}, n.ordererArgs()...)
		if err := n.peerCLI(ctx, o, update...); err != nil {
			return err
		}
	}
	return nil
}

// noWritersUpdate returns an unsigned CONFIG_UPDATE envelope that sets the
// Writers policy of application org msp to a signature policy no identity
// satisfies (1 out of an empty set), computed against the config block
// configBlock as configtxlator's compute_update would: the read set pins
// the versions of the enclosing groups, the write set bumps the policy's.
func noWritersUpdate(configBlock []byte, channel, msp string) ([]byte, error) {
	var block cb.Block
	if err := proto.Unmarshal(configBlock, &block); err != nil {
		return nil, fmt.Errorf("config block: %w", err)
	}
	if block.Data == nil || len(block.Data.Data) != 1 {
		return nil, fmt.Errorf("config block: want one envelope")
	}
	var env cb.Envelope
	var payload cb.Payload
	var cfg cb.ConfigEnvelope
	if err := proto.Unmarshal(block.Data.Data[0], &env); err != nil {
		return nil, err
	}
	if err := proto.Unmarshal(env.Payload, &payload); err != nil {
		return nil, err
	}
	if err := proto.Unmarshal(payload.Data, &cfg); err != nil {
		return nil, err
	}
	ch := cfg.GetConfig().GetChannelGroup()
	app := ch.GetGroups()["Application"]
	org := app.GetGroups()[msp]
	writers := org.GetPolicies()["Writers"]
	if writers == nil {
		return nil, fmt.Errorf("config: no Writers policy for %s", msp)
	}
	nobody, err := proto.Marshal(&cb.SignaturePolicyEnvelope{
		Rule: &cb.SignaturePolicy{Type: &cb.SignaturePolicy_NOutOf_{NOutOf: &cb.SignaturePolicy_NOutOf{N: 1}}},
	})
	if err != nil {
		return nil, err
	}
	skeleton := func(orgGroup *cb.ConfigGroup) *cb.ConfigGroup {
		return &cb.ConfigGroup{Version: ch.Version, Groups: map[string]*cb.ConfigGroup{
			"Application": {Version: app.Version, Groups: map[string]*cb.ConfigGroup{msp: orgGroup}},
		}}
	}
	update, err := proto.Marshal(&cb.ConfigUpdate{
		ChannelId: channel,
		ReadSet:   skeleton(&cb.ConfigGroup{Version: org.Version}),
		WriteSet: skeleton(&cb.ConfigGroup{Version: org.Version, Policies: map[string]*cb.ConfigPolicy{
			"Writers": {
				Version:   writers.Version + 1,
				ModPolicy: writers.ModPolicy,
				Policy:    &cb.Policy{Type: int32(cb.Policy_SIGNATURE), Value: nobody},
			},
		}}),
	})
	if err != nil {
		return nil, err
	}
	return envelope(cb.HeaderType_CONFIG_UPDATE, channel, &cb.ConfigUpdateEnvelope{ConfigUpdate: update})
}

// envelope wraps msg in an unsigned envelope of the given type; the peer
// CLI (peer channel update) signs it.
func envelope(typ cb.HeaderType, channel string, msg proto.Message) ([]byte, error) {
	data, err := proto.Marshal(msg)
	if err != nil {
		return nil, err
	}
	chdr, err := proto.Marshal(&cb.ChannelHeader{Type: int32(typ), ChannelId: channel})
	if err != nil {
		return nil, err
	}
	payload, err := proto.Marshal(&cb.Payload{Header: &cb.Header{ChannelHeader: chdr}, Data: data})
	if err != nil {
		return nil, err
	}
	return proto.Marshal(&cb.Envelope{Payload: payload})
}
