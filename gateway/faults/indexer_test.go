package faults_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/tierchain/tierchain/internal/fabnet"
	"github.com/tierchain/tierchain/internal/fabnet/fabnettest"
	"github.com/tierchain/tierchain/internal/fabricclient"
	"github.com/tierchain/tierchain/services/indexer"
	"github.com/tierchain/tierchain/services/store"
)

// follower is an indexer process of our own: a read model in its own
// SQLite file, following the chain as the regulator (on the regulator's
// peer), that can be killed and started again on its database.
type follower struct {
	dsn    string
	ledger *fabricclient.Client

	db     *store.DB
	ix     *indexer.Indexer
	cancel context.CancelFunc
	done   chan error
	starts int
}

func newFollower(t *testing.T, name string) *follower {
	t.Helper()
	conn := fabnettest.Connect(t, "Regulator", "User1")
	id, err := fabnettest.Network().IdentityFor("Regulator", "User1")
	if err != nil {
		t.Fatal(err)
	}
	l := fabricclient.New(conn.Gateway, fabricclient.Options{Channel: fabnet.ChannelName, Chaincode: fabnet.ChaincodeName, MSPID: id.MSPID})
	f := &follower{dsn: "sqlite:" + filepath.Join(t.TempDir(), name+".db"), ledger: l}
	t.Cleanup(func() { f.kill() })
	return f
}

// start opens the database and runs an indexer on it from its checkpoint
// (from block 0 the first time).
func (f *follower) start(ctx context.Context) error {
	db, err := store.Open(ctx, f.dsn)
	if err != nil {
		return err
	}
	ix, err := indexer.New(ctx, db, f.ledger, indexer.Options{Logger: logger(), Backoff: 200 * time.Millisecond, MaxBackoff: 2 * time.Second})
	if err != nil {
		db.Close()
		return err
	}
	rctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- ix.Run(rctx, f.ledger) }()
	f.db, f.ix, f.cancel, f.done = db, ix, cancel, done
	f.starts++
	return nil
}

// kill stops the indexer wherever it is (mid-batch or not) and closes its
// database, as a killed process would leave them.
func (f *follower) kill() error {
	if f.cancel == nil {
		return nil
	}
	f.cancel()
	err := <-f.done
	f.cancel = nil
	if errors.Is(err, context.Canceled) {
		err = nil
	}
	return errors.Join(err, f.db.Close())
}

// events is the follower's events log, oldest first.
func (f *follower) events(ctx context.Context) ([]indexer.Event, error) {
	var all []indexer.Event
	q := indexer.EventQuery{Limit: 200}
	for {
		pg, err := f.ix.Events(ctx, q)
		if err != nil {
			return nil, err
		}
		all = append(all, pg.Items...)
		if pg.Next == "" {
			break
		}
		q.Cursor = pg.Next
	}
	for i, j := 0, len(all)-1; i < j; i, j = i+1, j-1 {
		all[i], all[j] = all[j], all[i]
	}
	return all, nil
}

// compare says how the follower's read model differs from the ledger's
// tokens ("" when it holds every one with the ledger's status, holder and
// parents, and no other).
func (f *follower) compare(ctx context.Context, l *ledger) (string, error) {
	n := 0
	q := indexer.TokenQuery{Limit: 200}
	for {
		pg, err := f.ix.Tokens(ctx, q)
		if err != nil {
			return "", err
		}
		for _, tok := range pg.Items {
			n++
			want, ok := l.Tokens[tok.ID]
			switch {
			case !ok:
				return fmt.Sprintf("token %s in the read model, not on the ledger", tok.ID), nil
			case tok.LedgerStatus != want.Status || tok.Holder != want.Holder || fmt.Sprint(tok.Parents) != fmt.Sprint(want.Parents) || tok.TxID != want.TxID:
				return fmt.Sprintf("token %s: read model %s %s %v %s, ledger %s %s %v %s", tok.ID,
					tok.LedgerStatus, tok.Holder, tok.Parents, tok.TxID, want.Status, want.Holder, want.Parents, want.TxID), nil
			}
		}
		if pg.Next == "" {
			break
		}
		q.Cursor = pg.Next
	}
	if n != len(l.Tokens) {
		return fmt.Sprintf("%d tokens in the read model, %d on the ledger", n, len(l.Tokens)), nil
	}
	return "", nil
}
