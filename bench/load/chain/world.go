// Package chain is tierload's chain driver: it sets up a TierChain
// consortium on a real network and pre-builds the confidential requests
// tierload drives (split, issue, financing, queries): every proof is built
// before a run starts, so a run measures endorsement, ordering and commit
// only. The receivables it issues and splits for them are in
// receivables.go.
//
// The consortium bootstraps the platform (the operator's first
// registration and the platform auditor), which a channel allows once: the
// network must be fresh (tierload -start). The REST driver
// (bench/load/rest) can follow on the same network: the members that sign
// as founding enterprises are those enterprises (founders.go).
package chain

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/protocol"
	"github.com/tierchain/tierchain/internal/fabnet"
	"github.com/tierchain/tierchain/internal/fabricca"
	"github.com/tierchain/tierchain/internal/fabricclient"
	"github.com/tierchain/tierchain/zk/elgamal"
	"github.com/tierchain/tierchain/zk/envelope"
	"github.com/tierchain/tierchain/zk/group"
	"github.com/tierchain/tierchain/zk/pedersen"
)

// Contract is the confidential contract's name.
const Contract = "tierchain"

// CreditLimit is every credit line's limit (minor units): large enough
// that no load run exhausts it.
const CreditLimit = 1 << 60

// Currency is the load's currency: invoices, the line and receivables.
const Currency = "CNY"

// Member is an enterprise signing with a real identity of the network.
type Member struct {
	ID      string
	Role    model.Role
	MSPID   string
	CertDER []byte
	Key     *envelope.PrivateKey
	Ledger  *fabricclient.Client
	conn    *fabnet.Connection
}

// Recipient is the member as an envelope recipient.
func (m *Member) Recipient() protocol.Recipient {
	return protocol.Recipient{ID: m.ID, Key: m.Key.Public()}
}

// Submit sends fn(arg) as m and waits for its commit.
func (m *Member) Submit(ctx context.Context, fn string, arg []byte) (fabricclient.Result, error) {
	return m.Ledger.SubmitCall(ctx, fabricclient.Call{Contract: Contract, Function: fn, Args: [][]byte{arg}})
}

// SubmitFresh is Submit for a call that reads what a transaction just
// committed: the gateway's peer has it, but an endorser chosen with it may
// not yet, and refuses (NOT_FOUND, INVALID_STATE, endorsements that differ)
// or is invalidated (a read conflict). It tries again, up to five times in
// about 1.5 s, as a client would.
func (m *Member) SubmitFresh(ctx context.Context, fn string, arg []byte) (res fabricclient.Result, err error) {
	for attempt := 1; ; attempt++ {
		res, err = m.Submit(ctx, fn, arg)
		if err == nil || attempt == 5 || !stale(err) {
			return res, err
		}
		select {
		case <-ctx.Done():
			return res, err
		case <-time.After(time.Duration(attempt) * 100 * time.Millisecond):
		}
	}
}

// stale reports an error that a peer behind the gateway's can cause.
func stale(err error) bool {
	var cc *fabricclient.ChaincodeError
	if errors.As(err, &cc) {
		return cc.Code == string(model.CodeNotFound) || cc.Code == string(model.CodeInvalidState)
	}
	return errors.Is(err, fabricclient.ErrRejected) || errors.Is(err, fabricclient.ErrMVCCConflict)
}

// Evaluate queries fn(arg) as m on the gateway's peer.
func (m *Member) Evaluate(ctx context.Context, fn string, arg []byte) ([]byte, error) {
	return m.Ledger.EvaluateCall(ctx, fabricclient.Call{Contract: Contract, Function: fn, Args: [][]byte{arg}})
}

// World is the consortium: operator, two suppliers (Spender splits and
// finances, Payee receives), the core and its credit line at Bank, and the
// regulator as platform auditor; Cores holds the extra cores made for
// parallel issues.
type World struct {
	Ctx      protocol.Context
	AuditKey *elgamal.PrivateKey
	Auditor  protocol.Auditor

	Operator, Spender, Payee, Core, Bank, Regulator *Member

	net     *fabnet.Network
	gateway string // org whose peer every member connects through
	dir     string // issued identities
	run     string
	coreCA  *fabricca.CA

	fingerprints atomic.Uint64
	issueMu      sync.Mutex       // one root issue at a time on Core's line
	outstanding  pedersen.Opening // of Core's line at Bank
	maturity     time.Time

	mu      sync.Mutex
	members []*Member
}

// Options configure Setup.
type Options struct {
	// Gateway is the org whose peer every member's connection uses
	// (default "Core", tierload's default for the plaintext baseline, so
	// both go through the same gateway).
	Gateway string
}

// Setup joins the members to the network, bootstraps the operator,
// registers the others and has the bank grant the core a credit line.
func Setup(ctx context.Context, n *fabnet.Network, opts Options) (w *World, err error) {
	if opts.Gateway == "" {
		opts.Gateway = "Core"
	}
	dir, err := os.MkdirTemp("", "tierload-ids-")
	if err != nil {
		return nil, err
	}
	w = &World{Ctx: protocol.Context{Channel: fabnet.ChannelName, Chaincode: fabnet.ChaincodeName},
		net: n, gateway: opts.Gateway, dir: dir, run: fmt.Sprint(time.Now().UnixNano()),
		maturity: time.Now().UTC().AddDate(1, 0, 0).Truncate(time.Second)}
	defer func() {
		if err != nil {
			w.Close()
		}
	}()
	w.outstanding = pedersen.Opening{Value: 0, Blinding: group.NewScalar()} // the identity: no root issued yet
	certPath, keyPath, err := n.CAFiles("Core")
	if err != nil {
		return nil, err
	}
	if w.coreCA, err = loadCA(certPath, keyPath); err != nil {
		return nil, err
	}
	admin, err := w.join("", "", "Operator", "Admin", nil)
	if err != nil {
		return nil, err
	}
	joined := map[string]*Member{}
	for _, spec := range members(n.Layout) {
		var key *envelope.PrivateKey
		if spec.founder {
			if key, err = w.founderKey(spec.org); err != nil {
				return nil, err
			}
		}
		if joined[spec.org+"/"+spec.user], err = w.join(spec.id, spec.role, spec.org, spec.user, key); err != nil {
			return nil, err
		}
	}
	w.Operator, w.Spender, w.Payee = joined["Operator/User1"], joined["Operator/User2"], joined["Operator/User3"]
	w.Bank, w.Regulator = joined["BankA/User1"], joined["Regulator/User1"]
	if w.AuditKey, err = w.auditKey(); err != nil {
		return nil, err
	}
	// The core is an identity of its own, not the Core organisation's
	// founding enterprise: that one is the REST gateways' core
	// (bench/load/rest's story grants and issues as it), and its line and
	// outstanding sum are not the world's to track.
	coreOrg, _ := n.Layout.Org("Core")
	if w.Core, err = w.issueCore("core", coreOrg.MSPID); err != nil {
		return nil, err
	}
	w.Auditor = protocol.Auditor{AuditKey: w.AuditKey.Public(), EncryptionKey: w.Regulator.Key.Public()}
	if err := w.register(ctx, admin, w.Operator); err != nil {
		return nil, err
	}
	for _, m := range []*Member{w.Regulator, w.Spender, w.Payee, w.Core, w.Bank} {
		if err := w.register(ctx, w.Operator, m); err != nil {
			return nil, err
		}
	}
	if err := w.grant(ctx, w.Core); err != nil {
		return nil, err
	}
	return w, nil
}

// Close closes every connection and removes the issued identities.
func (w *World) Close() {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, m := range w.members {
		m.conn.Close()
	}
	w.members = nil
	os.RemoveAll(w.dir)
}

func loadCA(certPath, keyPath string) (*fabricca.CA, error) {
	certPEM, err := os.ReadFile(certPath)
	if err != nil {
		return nil, err
	}
	keyPEM, err := os.ReadFile(keyPath)
	if err != nil {
		return nil, err
	}
	return fabricca.Load(certPEM, keyPEM)
}

// join connects user of org (one of cryptogen's identities) as member id,
// with key as its HPKE key (a new one when nil).
func (w *World) join(id string, role model.Role, org, user string, key *envelope.PrivateKey) (*Member, error) {
	ident, err := w.net.IdentityFor(org, user)
	if err != nil {
		return nil, err
	}
	return w.connect(id, role, ident, key)
}

// connect opens ident's connection through the world's gateway peer, with
// key as the member's HPKE key (a new one when nil).
func (w *World) connect(id string, role model.Role, ident fabnet.Identity, key *envelope.PrivateKey) (*Member, error) {
	gw, err := w.net.IdentityFor(w.gateway, "User1")
	if err != nil {
		return nil, err
	}
	ident.PeerAddress, ident.TLSCAPath = gw.PeerAddress, gw.TLSCAPath
	certPEM, err := os.ReadFile(ident.CertPath)
	if err != nil {
		return nil, err
	}
	block, _ := pem.Decode(certPEM)
	if block == nil {
		return nil, fmt.Errorf("chain: no certificate in %s", ident.CertPath)
	}
	if key == nil {
		if key, err = envelope.GenerateKey(nil); err != nil {
			return nil, err
		}
	}
	conn, err := fabnet.Connect(ident)
	if err != nil {
		return nil, err
	}
	m := &Member{ID: id, Role: role, MSPID: ident.MSPID, CertDER: block.Bytes, Key: key, conn: conn,
		Ledger: fabricclient.New(conn.Gateway, fabricclient.Options{Channel: fabnet.ChannelName,
			Chaincode: fabnet.ChaincodeName, MSPID: ident.MSPID})}
	w.mu.Lock()
	w.members = append(w.members, m)
	w.mu.Unlock()
	return m, nil
}

// newCore issues a fresh identity of the Core org (the operator's CA would
// do the same for a hosted enterprise), connects it and registers it as a
// core enterprise with a credit line at Bank.
func (w *World) newCore(ctx context.Context, id string) (*Member, error) {
	m, err := w.issueCore(id, w.Core.MSPID)
	if err != nil {
		return nil, err
	}
	if err := w.register(ctx, w.Operator, m); err != nil {
		return nil, err
	}
	return m, w.grant(ctx, m)
}

// issueCore issues a fresh identity of the Core org (mspID) and connects
// it as core enterprise id.
func (w *World) issueCore(id, mspID string) (*Member, error) {
	now := time.Now()
	issued, err := w.coreCA.IssueClient(id+"@core.load", now, now.AddDate(0, 0, 7), nil)
	if err != nil {
		return nil, err
	}
	certPath, keyPath := filepath.Join(w.dir, id+"-cert.pem"), filepath.Join(w.dir, id+"-key.pem")
	if err := os.WriteFile(certPath, issued.CertPEM, 0o600); err != nil {
		return nil, err
	}
	if err := os.WriteFile(keyPath, issued.KeyPEM, 0o600); err != nil {
		return nil, err
	}
	return w.connect(id, model.RoleCore, fabnet.Identity{MSPID: mspID, CertPath: certPath, KeyPath: keyPath}, nil)
}

func (w *World) register(ctx context.Context, by, m *Member) error {
	req := &model.RegisterEnterpriseRequest{ID: m.ID, Name: m.ID + " Ltd", Role: m.Role, MSPID: m.MSPID,
		Certificate: m.CertDER, EncryptionKey: m.Key.Public().Bytes()}
	if m.Role == model.RoleRegulator {
		req.AuditKey = w.AuditKey.Public().Bytes()
	}
	return w.submit(ctx, by, "RegisterEnterprise", req, nil)
}

func (w *World) grant(ctx context.Context, core *Member) error {
	return w.submit(ctx, w.Bank, "GrantCreditLine", &model.GrantCreditLineRequest{Core: core.ID, Currency: Currency, Limit: CreditLimit,
		Expiry: time.Now().UTC().AddDate(1, 0, 0).Truncate(time.Second)}, nil)
}

// submit sends fn(req as JSON) as m, decoding the result into out (if not nil).
func (w *World) submit(ctx context.Context, m *Member, fn string, req, out any) error {
	_, err := w.submitResult(ctx, m, fn, req, out)
	return err
}

func (w *World) submitResult(ctx context.Context, m *Member, fn string, req, out any) (fabricclient.Result, error) {
	b, err := json.Marshal(req)
	if err != nil {
		return fabricclient.Result{}, err
	}
	// Preparation, off the clock: a call that never reached the orderer
	// (a peer busy past a TLS handshake, fabricclient.ErrUnavailable) is
	// safe to send again, and at 64 clients on a loaded host some do not.
	var res fabricclient.Result
	for attempt := 1; ; attempt++ {
		res, err = m.SubmitFresh(ctx, fn, b)
		if err == nil || attempt == 4 || !errors.Is(err, fabricclient.ErrUnavailable) || ctx.Err() != nil {
			break
		}
		time.Sleep(time.Duration(attempt) * 250 * time.Millisecond)
	}
	if err != nil {
		return res, fmt.Errorf("%s by %s: %w", fn, m.ID, err)
	}
	if out != nil {
		if err := json.Unmarshal(res.Payload, out); err != nil {
			return res, fmt.Errorf("%s result: %w", fn, err)
		}
	}
	return res, nil
}

// fingerprint is a fresh invoice fingerprint, unique to this world.
func (w *World) fingerprint() []byte {
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], w.fingerprints.Add(1))
	a := sha256.Sum256([]byte("tierload invoice " + w.run))
	b := sha256.Sum256(append(a[:], n[:]...))
	return append(a[:], b[:]...)
}

// confirmedInvoice registers an invoice of amount by the Spender to core
// and has core confirm it.
func (w *World) confirmedInvoice(ctx context.Context, core *Member, amount uint64) (protocol.OpenedInvoice, error) {
	o, err := pedersen.NewOpening(amount, nil)
	if err != nil {
		return protocol.OpenedInvoice{}, err
	}
	doc := sha256.Sum256([]byte(w.run))
	req, err := protocol.BuildInvoice(w.Ctx, protocol.InvoiceInput{Currency: Currency, Supplier: w.Spender.ID, Buyer: core.Recipient(),
		Fingerprint: w.fingerprint(), DocumentHash: doc[:], DueDate: w.maturity, Amount: o}, w.Auditor, nil)
	if err != nil {
		return protocol.OpenedInvoice{}, err
	}
	var inv model.Invoice
	if err := w.submit(ctx, w.Spender, "RegisterInvoice", req, &inv); err != nil {
		return protocol.OpenedInvoice{}, err
	}
	if err := w.submit(ctx, core, "ConfirmInvoice", &model.InvoiceActionRequest{Invoice: inv.ID, Fingerprint: inv.Fingerprint}, nil); err != nil {
		return protocol.OpenedInvoice{}, err
	}
	return protocol.OpenedInvoice{ID: inv.ID, Opening: o}, nil
}

// issueRoot has Core issue a receivable of amount to the Spender against
// Bank's line (one at a time: each issue binds the line's outstanding sum).
func (w *World) issueRoot(ctx context.Context, amount uint64) (protocol.OpenedToken, error) {
	inv, err := w.confirmedInvoice(ctx, w.Core, amount)
	if err != nil {
		return protocol.OpenedToken{}, err
	}
	o, err := pedersen.NewOpening(amount, nil)
	if err != nil {
		return protocol.OpenedToken{}, err
	}
	w.issueMu.Lock()
	defer w.issueMu.Unlock()
	req, err := w.buildIssue(w.Core, inv, w.outstanding, o)
	if err != nil {
		return protocol.OpenedToken{}, err
	}
	res, err := w.submitResult(ctx, w.Core, "Issue", req, nil)
	if err != nil {
		return protocol.OpenedToken{}, err
	}
	w.outstanding = addOpenings(w.outstanding, o)
	return protocol.OpenedToken{ID: protocol.TokenID(res.TxID, 0), Currency: Currency, Opening: o}, nil
}

func (w *World) buildIssue(core *Member, inv protocol.OpenedInvoice, outstanding, amount pedersen.Opening) (*model.IssueRequest, error) {
	return protocol.BuildIssue(w.Ctx, protocol.IssueInput{Currency: Currency, Issuer: core.ID, IssuerKey: core.Key.Public(), Bank: w.Bank.ID,
		Holder: w.Spender.Recipient(), Invoices: []protocol.OpenedInvoice{inv}, Limit: CreditLimit,
		Outstanding: outstanding, Maturity: w.maturity, Amount: amount}, w.Auditor, nil)
}

// addOpenings is the opening of the sum of two commitments.
func addOpenings(a, b pedersen.Opening) pedersen.Opening {
	return pedersen.Opening{Value: a.Value + b.Value, Blinding: group.NewScalar().Add(a.Blinding, b.Blinding)}
}

var errShort = errors.New("chain: fewer tokens than asked")
