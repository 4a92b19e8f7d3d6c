// Package directory keeps the enterprises a gateway acts for: for each, its
// role, its organisation and the Fabric identity (certificate and private
// key, the key sealed at rest under the gateway's master key) that signs its
// ledger transactions, and gives a ledger client per enterprise over one
// shared connection per organisation's peer.
//
// Each organisation's gateway has its own directory, configured with that
// one organisation: its founding enterprise (a core enterprise, a bank, the
// regulator, the operator) uses a user identity of the organisation; a
// supplier without a peer is hosted by the operator's gateway, which issues
// its identity from the operator organisation's CA (internal/fabricca).
// No directory holds another organisation's identity.
package directory

import (
	"context"
	"crypto"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"google.golang.org/grpc"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/internal/fabricca"
	"github.com/tierchain/tierchain/internal/fabricclient"
	"github.com/tierchain/tierchain/internal/sealbox"
	"github.com/tierchain/tierchain/services/store"
)

var (
	// ErrNotFound: no such enterprise in this directory.
	ErrNotFound = errors.New("directory: enterprise not found")
	// ErrExists: the enterprise ID or legal ID is taken.
	ErrExists = errors.New("directory: enterprise already present")
	// ErrConfig: an unknown organisation or one without a CA.
	ErrConfig = errors.New("directory: bad configuration")
)

// Org is an organisation of the channel as this gateway reaches it.
type Org struct {
	Name        string // e.g. "Operator"
	MSPID       string
	PeerAddress string
	TLSCACert   []byte       // PEM of the peer's TLS CA
	CA          *fabricca.CA // signing CA, when this gateway may issue identities of the org
}

// Member is an enterprise this gateway acts for.
type Member struct {
	ID        string     `json:"id"`
	Name      string     `json:"name"`
	Role      model.Role `json:"role"`
	Org       string     `json:"org"`
	MSPID     string     `json:"mspId"`
	LegalID   string     `json:"legalId,omitempty"` // e.g. "0192:987123456", how invoices name it
	CertPEM   []byte     `json:"-"`
	CreatedAt time.Time  `json:"createdAt"`
}

// Directory is safe for concurrent use.
type Directory struct {
	db     *store.DB
	box    *sealbox.Sealer
	orgs   map[string]Org
	opts   fabricclient.Options
	now    func() time.Time
	mu     sync.Mutex
	conns  map[string]*grpc.ClientConn
	client map[string]*fabricclient.Client
}

// New migrates the directory's schema (component "directory") and returns
// a directory whose keys are sealed under masterKey.
func New(ctx context.Context, db *store.DB, masterKey []byte, orgs []Org, opts fabricclient.Options) (*Directory, error) {
	box, err := sealbox.New(masterKey, "tierchain/directory/v1")
	if err != nil {
		return nil, err
	}
	if err := db.Migrate(ctx, "directory", []string{db.Dialect.DDL().Replace(`
CREATE TABLE directory_members (
	id         TEXT    PRIMARY KEY,
	name       TEXT    NOT NULL,
	role       TEXT    NOT NULL,
	org        TEXT    NOT NULL,
	msp_id     TEXT    NOT NULL,
	legal_id   TEXT    UNIQUE,
	cert_pem   {{blob}} NOT NULL,
	key_sealed {{blob}} NOT NULL,
	created_at BIGINT  NOT NULL
);
CREATE TABLE directory_secrets (
	member_id TEXT    NOT NULL REFERENCES directory_members (id),
	name      TEXT    NOT NULL,
	sealed    {{blob}} NOT NULL,
	PRIMARY KEY (member_id, name)
)`)}); err != nil {
		return nil, err
	}
	d := &Directory{db: db, box: box, orgs: map[string]Org{}, opts: opts, now: time.Now,
		conns: map[string]*grpc.ClientConn{}, client: map[string]*fabricclient.Client{}}
	for _, o := range orgs {
		d.orgs[o.Name] = o
	}
	return d, nil
}

// Org returns a configured organisation.
func (d *Directory) Org(name string) (Org, bool) {
	o, ok := d.orgs[name]
	return o, ok
}

// Add records m with its identity (PEM certificate and key).
func (d *Directory) Add(ctx context.Context, m Member, keyPEM []byte) (Member, error) {
	o, ok := d.orgs[m.Org]
	if !ok {
		return Member{}, fmt.Errorf("%w: no organisation %q", ErrConfig, m.Org)
	}
	if err := matchingPair(m.CertPEM, keyPEM); err != nil {
		return Member{}, fmt.Errorf("directory: identity of %s: %w", m.ID, err)
	}
	sealed, err := d.box.Seal(keyPEM, []byte("key\x00"+m.ID))
	if err != nil {
		return Member{}, err
	}
	m.MSPID = o.MSPID
	m.CreatedAt = d.now().UTC().Truncate(time.Second)
	var legal any
	if m.LegalID != "" {
		legal = m.LegalID
	}
	_, err = d.db.SQL.ExecContext(ctx, d.db.Rebind(`INSERT INTO directory_members
		(id, name, role, org, msp_id, legal_id, cert_pem, key_sealed, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`),
		m.ID, m.Name, string(m.Role), m.Org, m.MSPID, legal, m.CertPEM, sealed, m.CreatedAt.Unix())
	if store.IsUniqueViolation(err) {
		return Member{}, fmt.Errorf("%w: %s", ErrExists, m.ID)
	}
	if err != nil {
		return Member{}, fmt.Errorf("directory: add %s: %w", m.ID, err)
	}
	return m, nil
}

// Issue creates an identity for m from its organisation's CA and records
// it.
func (d *Directory) Issue(ctx context.Context, m Member) (Member, error) {
	o, ok := d.orgs[m.Org]
	if !ok || o.CA == nil {
		return Member{}, fmt.Errorf("%w: organisation %q cannot issue identities here", ErrConfig, m.Org)
	}
	now := d.now()
	id, err := o.CA.IssueClient(m.ID+"@"+strings.ToLower(m.Org), now, now.AddDate(2, 0, 0), nil)
	if err != nil {
		return Member{}, err
	}
	m.CertPEM = id.CertPEM
	return d.Add(ctx, m, id.KeyPEM)
}

func matchingPair(certPEM, keyPEM []byte) error {
	cert, err := fabricca.ParseCertificatePEM(certPEM)
	if err != nil {
		return err
	}
	key, err := fabricca.ParsePrivateKeyPEM(keyPEM)
	if err != nil {
		return err
	}
	if pub, ok := key.Public().(interface{ Equal(crypto.PublicKey) bool }); !ok || !pub.Equal(cert.PublicKey) {
		return fmt.Errorf("%w: the key does not match the certificate", ErrConfig)
	}
	return nil
}

const memberColumns = `id, name, role, org, msp_id, COALESCE(legal_id, ''), cert_pem, created_at`

func scanMember(row store.Scanner) (Member, error) {
	var m Member
	var created int64
	var role string
	if err := row.Scan(&m.ID, &m.Name, &role, &m.Org, &m.MSPID, &m.LegalID, &m.CertPEM, &created); err != nil {
		return Member{}, err
	}
	m.Role = model.Role(role)
	m.CreatedAt = time.Unix(created, 0).UTC()
	return m, nil
}

// Get returns the member id.
func (d *Directory) Get(ctx context.Context, id string) (Member, error) {
	return d.one(ctx, "id", id)
}

// ByLegalID returns the member whose legal ID is legalID.
func (d *Directory) ByLegalID(ctx context.Context, legalID string) (Member, error) {
	return d.one(ctx, "legal_id", legalID)
}

func (d *Directory) one(ctx context.Context, column, v string) (Member, error) {
	m, err := scanMember(d.db.SQL.QueryRowContext(ctx,
		d.db.Rebind(`SELECT `+memberColumns+` FROM directory_members WHERE `+column+` = ?`), v))
	if errors.Is(err, sql.ErrNoRows) {
		return Member{}, fmt.Errorf("%w: %s", ErrNotFound, v)
	}
	return m, err
}

// List returns every member, by ID.
func (d *Directory) List(ctx context.Context) ([]Member, error) {
	return store.QueryAll(ctx, d.db.SQL, scanMember, `SELECT `+memberColumns+` FROM directory_members ORDER BY id`)
}

// SetSecret stores a member's secret
// sealed, replacing an earlier one of the same name.
func (d *Directory) SetSecret(ctx context.Context, memberID, name string, value []byte) error {
	sealed, err := d.box.Seal(value, []byte("secret\x00"+memberID+"\x00"+name))
	if err != nil {
		return err
	}
	return d.db.InTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, d.db.Rebind(`DELETE FROM directory_secrets WHERE member_id = ? AND name = ?`), memberID, name); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, d.db.Rebind(`INSERT INTO directory_secrets (member_id, name, sealed) VALUES (?, ?, ?)`), memberID, name, sealed)
		if store.IsForeignKeyViolation(err) {
			return fmt.Errorf("%w: %s", ErrNotFound, memberID)
		}
		return err
	})
}

// Secret returns a member's secret.
func (d *Directory) Secret(ctx context.Context, memberID, name string) ([]byte, error) {
	var sealed []byte
	err := d.db.SQL.QueryRowContext(ctx, d.db.Rebind(`SELECT sealed FROM directory_secrets WHERE member_id = ? AND name = ?`),
		memberID, name).Scan(&sealed)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%w: secret %s of %s", ErrNotFound, name, memberID)
	}
	if err != nil {
		return nil, err
	}
	return d.box.Open(sealed, []byte("secret\x00"+memberID+"\x00"+name))
}

// Client returns the ledger client that signs as member id, dialing its
// organisation's peer on first use.
func (d *Directory) Client(ctx context.Context, id string) (*fabricclient.Client, error) {
	d.mu.Lock()
	c, ok := d.client[id]
	d.mu.Unlock()
	if ok {
		return c, nil
	}
	m, err := d.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	var sealed []byte
	if err := d.db.SQL.QueryRowContext(ctx, d.db.Rebind(`SELECT key_sealed FROM directory_members WHERE id = ?`), id).Scan(&sealed); err != nil {
		return nil, err
	}
	keyPEM, err := d.box.Open(sealed, []byte("key\x00"+id))
	if err != nil {
		return nil, fmt.Errorf("directory: key of %s: %w", id, err)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if c, ok := d.client[id]; ok {
		return c, nil
	}
	conn, err := d.connLocked(m.Org)
	if err != nil {
		return nil, err
	}
	opts := d.opts
	opts.MSPID = m.MSPID
	c, err = fabricclient.NewOnConn(conn, m.MSPID, m.CertPEM, keyPEM, opts)
	if err != nil {
		return nil, err
	}
	d.client[id] = c
	return c, nil
}

func (d *Directory) connLocked(org string) (*grpc.ClientConn, error) {
	if c, ok := d.conns[org]; ok {
		return c, nil
	}
	o, ok := d.orgs[org]
	if !ok {
		return nil, fmt.Errorf("%w: no organisation %q", ErrConfig, org)
	}
	c, err := fabricclient.DialPeer(o.PeerAddress, o.TLSCACert, "")
	if err != nil {
		return nil, err
	}
	d.conns[org] = c
	return c, nil
}

// Close closes every client and connection.
func (d *Directory) Close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	for id, c := range d.client {
		c.Close()
		delete(d.client, id)
	}
	var errs []error
	for org, c := range d.conns {
		errs = append(errs, c.Close())
		delete(d.conns, org)
	}
	return errors.Join(errs...)
}
