package protocol

import (
	"sync"

	"github.com/tierchain/tierchain/zk/group"
	"github.com/tierchain/tierchain/zk/rangeproof"
	"github.com/tierchain/tierchain/zk/transcript"
)

// CoalesceDomain is the transcript the weights of coalesced checks come
// from. Changing it changes no accepted or refused transaction.
const CoalesceDomain = "tierchain/verify-coalesced/v1"

// VerifyCoalescer runs the proof checks of concurrent endorsements in one
// chaincode server as one multi-scalar multiplication. A transaction's
// proofs are already one MSM (proofBatch), about 60 % of it the fixed
// Bulletproofs generators G_i, H_i; checks of k transactions combined add
// their fixed scalars first, so the generators' part is paid once instead
// of k times.
//
// It never waits for company: a check that arrives while fewer than its
// slots are busy runs at once (with whatever else is queued); one that
// finds every slot busy queues, and the next slot to free takes the whole
// queue as one batch. So a quiet server verifies as before, and a busy one
// batches exactly when CPU is short.
//
// The outcome of a transaction never depends on its batch: a batch that
// fails is checked again one by one, and each transaction gets its own
// answer. The weights that combine the checks are challenges of a
// transcript over every check's memo key (itself a challenge after the
// statement and every proof byte), so they are fixed only after every
// check in the batch, and deterministic given the batch.
//
// It is safe for concurrent use.
type VerifyCoalescer struct {
	slots int

	mu              sync.Mutex
	running         int
	queue           []*pendingCheck
	batches, checks uint64
}

type pendingCheck struct {
	check *rangeproof.Check
	key   memoKey
	err   error
	done  chan struct{} // closed when err is set
}

// NewVerifyCoalescer returns a coalescer that runs at most slots batches
// at once (at least 1; the server's GOMAXPROCS keeps every core busy).
func NewVerifyCoalescer(slots int) *VerifyCoalescer {
	return &VerifyCoalescer{slots: max(slots, 1)}
}

// Stats returns how many batches ran and how many checks they held.
func (c *VerifyCoalescer) Stats() (batches, checks uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.batches, c.checks
}

// verify runs check, alone or in a batch with others, and returns its own
// result.
func (c *VerifyCoalescer) verify(check *rangeproof.Check, key memoKey) error {
	p := &pendingCheck{check: check, key: key, done: make(chan struct{})}
	c.mu.Lock()
	if c.running >= c.slots {
		c.queue = append(c.queue, p)
		c.mu.Unlock()
		<-p.done
		return p.err
	}
	c.running++
	batch := append(c.queue, p)
	c.queue = nil
	c.batches++
	c.checks += uint64(len(batch))
	c.mu.Unlock()
	runChecks(batch)
	c.release()
	return p.err
}

// release frees a slot or, when checks wait, keeps it for a goroutine that
// runs them all as the next batch (this endorsement answers now).
func (c *VerifyCoalescer) release() {
	c.mu.Lock()
	if len(c.queue) == 0 {
		c.running--
		c.mu.Unlock()
		return
	}
	batch := c.queue
	c.queue = nil
	c.batches++
	c.checks += uint64(len(batch))
	c.mu.Unlock()
	go func() {
		runChecks(batch)
		c.release()
	}()
}

// runChecks verifies a batch and sets every check's result.
func runChecks(batch []*pendingCheck) {
	finish := func(p *pendingCheck, err error) {
		p.err = err
		close(p.done)
	}
	if len(batch) == 1 {
		finish(batch[0], batch[0].check.Verify())
		return
	}
	t := transcript.New(CoalesceDomain)
	t.AppendUint64("checks", uint64(len(batch)))
	checks := make([]*rangeproof.Check, len(batch))
	for i, p := range batch {
		t.AppendMessage("check", p.key[:])
		checks[i] = p.check
	}
	weights := make([]*group.Scalar, len(batch))
	for i := range weights {
		weights[i] = t.ChallengeScalar("weight")
	}
	if rangeproof.VerifyChecks(checks, weights) == nil {
		for _, p := range batch {
			finish(p, nil)
		}
		return
	}
	for _, p := range batch {
		finish(p, p.check.Verify())
	}
}
