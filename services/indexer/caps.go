package indexer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"
)

// systemContract is the contract fabric-contract-api-go adds to every
// chaincode; its GetMetadata answers the chaincode's metadata: every
// contract and the transactions it offers.
const systemContract = "org.hyperledger.fabric"

// maxMetadataBytes bounds a GetMetadata answer the indexer decodes; the
// TierChain chaincode's is about 9 KB (testdata/metadata.json).
const maxMetadataBytes = 1 << 20

// capsRecheck is how old a "no GetTokens" answer may grow before the
// fallback path asks the chaincode again: an upgrade that adds GetTokens
// is seen within it.
const capsRecheck = time.Minute

// ErrBadMetadata reports a GetMetadata answer that is not the contract
// metadata of a chaincode with the "tierchain" contract, or is larger
// than the indexer reads.
var ErrBadMetadata = errors.New("indexer: undecodable chaincode metadata")

// contractCaps is what the chaincode's "tierchain" contract offers the
// indexer, as its metadata listed it.
type contractCaps struct {
	getTokens bool // GetTokens; without it, tokens are read with GetToken
}

// decodeCaps reads contract's capabilities from a GetMetadata answer
// (fabric-contract-api-go's metadata.ContractChaincodeMetadata, of which
// only the contracts' transaction names are read).
func decodeCaps(raw []byte, contract string) (contractCaps, error) {
	if len(raw) > maxMetadataBytes {
		return contractCaps{}, fmt.Errorf("%w: %d bytes, more than %d", ErrBadMetadata, len(raw), maxMetadataBytes)
	}
	var md struct {
		Contracts map[string]*struct {
			Name         string `json:"name"`
			Transactions []struct {
				Name string `json:"name"`
			} `json:"transactions"`
		} `json:"contracts"`
	}
	if err := json.Unmarshal(raw, &md); err != nil {
		return contractCaps{}, fmt.Errorf("%w: %v", ErrBadMetadata, err)
	}
	c := md.Contracts[contract]
	if c == nil {
		return contractCaps{}, fmt.Errorf("%w: no contract %q", ErrBadMetadata, contract)
	}
	if c.Name != contract {
		return contractCaps{}, fmt.Errorf("%w: contract %q is named %q", ErrBadMetadata, contract, c.Name)
	}
	var caps contractCaps
	for _, tx := range c.Transactions {
		switch tx.Name {
		case "":
			return contractCaps{}, fmt.Errorf("%w: contract %q lists a transaction with no name", ErrBadMetadata, contract)
		case "GetTokens":
			caps.getTokens = true
		}
	}
	return caps, nil
}

// capsCache remembers the chaincode's capabilities, asked once and asked
// again only when they may have changed (an upgrade).
type capsCache struct {
	mu  sync.Mutex
	cur *knownCaps // nil until asked
	// recheck overrides capsRecheck (tests).
	recheck time.Duration
}

func (c *capsCache) recheckAfter() time.Duration {
	if c.recheck > 0 {
		return c.recheck
	}
	return capsRecheck
}

// knownCaps is one GetMetadata answer: the capabilities, which answer it
// is (a caller names the one it found wrong) and when it came.
type knownCaps struct {
	contractCaps
	gen uint64
	at  time.Time
}

// capabilities returns the chaincode's capabilities, asking GetMetadata
// when none is known or when stale holds for the one known. Concurrent
// callers share one question.
func (ix *Indexer) capabilities(ctx context.Context, stale func(knownCaps) bool) (knownCaps, error) {
	c := &ix.caps
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cur != nil && (stale == nil || !stale(*c.cur)) {
		return *c.cur, nil
	}
	raw, err := ix.ledger.Evaluate(ctx, systemContract, "GetMetadata")
	if err != nil {
		return knownCaps{}, fmt.Errorf("indexer: GetMetadata: %w", err)
	}
	caps, err := decodeCaps(raw, Contract)
	if err != nil {
		return knownCaps{}, err
	}
	next := knownCaps{contractCaps: caps, gen: 1, at: time.Now()}
	if c.cur != nil {
		next.gen = c.cur.gen + 1
	}
	if c.cur == nil || c.cur.contractCaps != caps {
		ix.log.Info("indexer: chaincode capabilities", "get_tokens", caps.getTokens)
	}
	c.cur = &next
	return next, nil
}

// answer is stale for capabilities: true of answer gen alone, so that of
// callers who found it wrong together only the first asks again.
func answer(gen uint64) func(knownCaps) bool {
	return func(k knownCaps) bool { return k.gen == gen }
}

// olderThan is stale for capabilities: true of an answer older than d.
func olderThan(d time.Duration) func(knownCaps) bool {
	return func(k knownCaps) bool { return time.Since(k.at) > d }
}
