package fabnet

import (
	"context"
	"slices"

	"github.com/tierchain/tierchain/internal/channelconfig"
)

// What a deployment that runs the nodes itself (docker-compose: each
// organisation's admin steps through `docker exec` into its own containers,
// internal/consortium) needs from the launcher's channel set-up.

// SignaturePolicy is the chaincode's endorsement policy for layout l, as
// every organisation approves it: a majority of the endorsing
// organisations' peers (the Regulator is in none).
func SignaturePolicy(l Layout) string { return signaturePolicy(l) }

// NewcomerKeys is the newcomer's own first admission step (StepKeys) on
// its own, for a deployment that runs the nodes itself: it begins (or
// resumes) the admission in the newcomer's folder, makes its keys there,
// its enterprise's keys and card (kept in PendingCardsDir until it is
// admitted), its public MSP and TLS CA in the bundle, its definition
// (DefinitionFile) and its chaincode package. It returns the newcomer's
// layout entry (in a layout WithNodeNames, reached by its nodes' names)
// and its package ID. Run again, it returns what the first run made.
func (n *Network) NewcomerKeys(ctx context.Context, nc Newcomer) (Org, string, error) {
	a, err := n.loadAdmission(nc)
	if err != nil {
		return Org{}, "", err
	}
	if n.Layout.NodeNames {
		a.Org.Host = ""
	}
	if !slices.Contains(a.Done, StepKeys) {
		if a.PackageID, err = n.newcomerKeys(ctx, a.Org); err != nil {
			return a.Org, "", err
		}
		a.Done = append(a.Done, StepKeys)
		if err := writeJSON(n.p.Admission(a.Org.Name), a); err != nil {
			return a.Org, "", err
		}
	}
	return a.Org, a.PackageID, nil
}

// PendingCardsDir is where a newcomer keeps its enterprise's card until it
// is admitted (then the card goes to CardsDir, for the operator's gateway
// to register).
func (n *Network) PendingCardsDir(org string) string { return n.p.pendingCards(org) }

// OrdererEndpoint is the orderer this process reaches for channel config
// and blocks (the first of the layout, through OrdererTarget if set).
func (n *Network) OrdererEndpoint() channelconfig.Orderer { return n.orderer() }

// UnlockRegulatorWriters lets the regulator's admin write again, for its
// approval of a new chaincode sequence: signed by its admin, submitted by
// the operator's. LockRegulatorWritersIfOpen undoes it.
func (n *Network) UnlockRegulatorWriters(ctx context.Context, reg Org) error {
	return n.unlockRegulatorWriters(ctx, reg)
}

// LockRegulatorWritersIfOpen takes the regulator out of the Writers again
// if it is in them (its admin signs and submits).
func (n *Network) LockRegulatorWritersIfOpen(ctx context.Context) error {
	return n.lockRegulatorWritersIfOpen(ctx)
}
