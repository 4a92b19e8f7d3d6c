// A new sequence of the chaincode definition when the members change.

package fabnet

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	cb "github.com/hyperledger/fabric-protos-go-apiv2/common"

	"github.com/tierchain/tierchain/internal/channelconfig"
)

// CommittedSequence is the sequence of the chaincode definition committed
// on the channel.
func (n *Network) CommittedSequence(ctx context.Context) (int64, error) {
	op, _ := n.Layout.Org("Operator")
	out, err := n.peerCLIOutput(ctx, op, "lifecycle", "chaincode", "querycommitted", "--channelID", ChannelName, "--name", ChaincodeName, "--output", "json")
	if err != nil {
		return 0, err
	}
	var def struct {
		Sequence int64 `json:"sequence"`
	}
	if err := json.Unmarshal(out, &def); err != nil {
		return 0, fmt.Errorf("fabnet: querycommitted: %w", err)
	}
	return def.Sequence, nil
}

// upgradeForMembers commits the next sequence of the chaincode definition
// with an endorsement policy over the current endorsing members (the
// newcomer included), approved by every member with its own package.
func (n *Network) upgradeForMembers(ctx context.Context, a *admission) error {
	o := a.Org
	if err := n.peerCLI(ctx, o, "lifecycle", "chaincode", "install", n.p.CcPackage(o)); err != nil &&
		!strings.Contains(err.Error(), "already successfully installed") {
		return err
	}
	committed, err := n.CommittedSequence(ctx)
	if err != nil {
		return err
	}
	if a.Sequence == 0 {
		a.Sequence = committed + 1
		if err := writeJSON(n.p.Admission(o.Name), a); err != nil {
			return err
		}
	}
	if committed < a.Sequence {
		if err := n.commitSequence(ctx, a.Sequence); err != nil {
			return err
		}
	}
	// The regulator approved with its Writers unlocked: lock them again
	// (also after a crash right after the commit).
	return n.lockRegulatorWritersIfOpen(ctx)
}

// commitSequence approves sequence seq of the definition (policy over the
// layout's endorsers) for every organisation and commits it.
func (n *Network) commitSequence(ctx context.Context, seq int64) error {
	def := []string{"--channelID", ChannelName, "--name", ChaincodeName, "--version", "1.0", "--sequence", fmt.Sprint(seq),
		"--signature-policy", signaturePolicy(n.Layout)}
	for _, org := range n.Layout.Orgs {
		if org.Role == RoleRegulator {
			if err := n.unlockRegulatorWriters(ctx, org); err != nil {
				return err
			}
		}
		args := append(append([]string{"lifecycle", "chaincode", "approveformyorg", "--package-id", n.PackageIDs[org.Name]}, def...), n.ordererArgs()...)
		if err := n.retry(ctx, 30*time.Second, func() error {
			err := n.peerCLI(ctx, org, args...)
			if err != nil && strings.Contains(err.Error(), "unchanged content") {
				return nil // approved before an interruption
			}
			return err
		}); err != nil {
			return err
		}
	}
	args := append(append([]string{"lifecycle", "chaincode", "commit"}, def...), n.ordererArgs()...)
	for _, org := range n.Layout.Orgs {
		if org.Endorser {
			args = append(args, "--peerAddresses", n.Layout.PeerAddress(org), "--tlsRootCertFiles", n.p.PeerTLSCA(org))
		}
	}
	op, _ := n.Layout.Org("Operator")
	return n.retry(ctx, 60*time.Second, func() error {
		err := n.peerCLI(ctx, op, args...)
		if err != nil {
			if s, qerr := n.CommittedSequence(ctx); qerr == nil && s >= seq {
				return nil
			}
		}
		return err
	})
}

// unlockRegulatorWriters lets the regulator's admin write again for its
// approval: a config update its admin signs (its Writers' mod_policy is
// its own Admins) and the operator's admin submits (the regulator cannot:
// it is no writer).
func (n *Network) unlockRegulatorWriters(ctx context.Context, reg Org) error {
	env, err := n.ProposeUpdate(ctx, "Operator", func(cfg *cb.Config) (*cb.Config, error) {
		return channelconfig.UnlockOrgWriters(cfg, reg.MSPID)
	})
	if errors.Is(err, channelconfig.ErrNoChange) {
		return nil
	}
	if err != nil {
		return err
	}
	if env, err = n.SignUpdate(ctx, env, reg.Name, "Admin"); err != nil {
		return err
	}
	return n.SubmitUpdate(ctx, env, "Operator", "Admin")
}

// lockRegulatorWritersIfOpen locks the regulator's Writers again if they
// are open (it signs and submits that itself, while it still may).
func (n *Network) lockRegulatorWritersIfOpen(ctx context.Context) error {
	for _, reg := range n.Layout.Orgs {
		if reg.Role != RoleRegulator {
			continue
		}
		env, err := n.ProposeUpdate(ctx, reg.Name, func(cfg *cb.Config) (*cb.Config, error) {
			return channelconfig.LockOrgWriters(cfg, reg.MSPID)
		})
		if errors.Is(err, channelconfig.ErrNoChange) {
			continue
		}
		if err != nil {
			return err
		}
		if env, err = n.SignUpdate(ctx, env, reg.Name, "Admin"); err != nil {
			return err
		}
		if err := n.SubmitUpdate(ctx, env, reg.Name, "Admin"); err != nil {
			return err
		}
	}
	return nil
}
