package rules

import (
	"encoding/binary"
	"errors"
	"time"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/protocol"
)

// A spent input is marked by a small record under its own key instead of
// rewriting the whole token (issue 18): the token record keeps what it was
// when it was ACTIVE, and the marker says it was spent, when, and by which
// transaction, whose outputs are its children (protocol.TokenID(txID, i)).
// Every reader loads a token through loadToken, which lays the marker over
// an ACTIVE record; a token spent before the marker existed was rewritten
// whole (status SPLIT, children) and reads as it always did.
//
// Layout, version 1 (spentMarkerV1):
//
//	0x01 ‖ spent at (8, Unix nanoseconds, big-endian) ‖ n_children (1) ‖ spending tx ID
//
// The version byte comes first so a later layout can follow.
const spentMarkerV1 byte = 0x01

// spentMarker is a spent input's record.
type spentMarker struct {
	At       time.Time
	TxID     string
	Children int
}

// errBadSpentMarker is a marker that does not decode.
var errBadSpentMarker = errors.New("rules: malformed spent marker")

func spentKey(id string) string { return CompositeKey(objSpent, id) }

// encode writes m in the version 1 layout.
func (m spentMarker) encode() []byte {
	b := markerHead(spentMarkerV1, m.At, 1+len(m.TxID))
	b = append(b, byte(m.Children))
	return append(b, m.TxID...)
}

// decodeSpentMarker reads a marker: version 1, 1..MaxOutputs children, a
// transaction ID of 1..64 printable ASCII bytes.
func decodeSpentMarker(b []byte) (spentMarker, error) {
	if len(b) < 11 || b[0] != spentMarkerV1 {
		return spentMarker{}, errBadSpentMarker
	}
	n := int(b[9])
	if n < 1 || n > model.MaxOutputs || !markerRef(b[10:]) {
		return spentMarker{}, errBadSpentMarker
	}
	return spentMarker{At: markerTime(b[1:9]), TxID: string(b[10:]), Children: n}, nil
}

// markerRef reports whether b is a marker's reference: 1..64 printable
// ASCII bytes (a transaction or token ID).
func markerRef(b []byte) bool {
	if len(b) < 1 || len(b) > 64 {
		return false
	}
	for _, c := range b {
		if c <= ' ' || c > '~' {
			return false
		}
	}
	return true
}

// markerHead starts a marker: its version byte and its time (8 bytes,
// big-endian Unix nanoseconds), with room for rest more bytes.
func markerHead(version byte, at time.Time, rest int) []byte {
	b := make([]byte, 0, 9+rest)
	b = append(b, version)
	return binary.BigEndian.AppendUint64(b, uint64(at.UnixNano()))
}

// markerTime reads a marker's 8-byte big-endian Unix nanoseconds.
func markerTime(b []byte) time.Time {
	return time.Unix(0, int64(binary.BigEndian.Uint64(b))).UTC()
}

// children lists the spending transaction's outputs.
func (m spentMarker) children() []string {
	c := make([]string, m.Children)
	for i := range c {
		c[i] = protocol.TokenID(m.TxID, i)
	}
	return c
}

// loadToken loads a token with its spent marker laid over it: a token whose
// record is ACTIVE but that has a marker is SPLIT, with the marker's
// children and time. Only an ACTIVE record can have one (only an ACTIVE
// token is spent), so other records cost no second read.
func loadToken(st State, id string) (*model.Token, error) {
	return loadMarked(st, tokenKey(id), spentKey(id), "token", id,
		func(t *model.Token) bool { return t.Status == model.TokenActive },
		func(t *model.Token, raw []byte) error {
			m, err := decodeSpentMarker(raw)
			if err != nil {
				return err
			}
			t.Status, t.Children, t.UpdatedAt = model.TokenSplit, m.children(), m.At
			return nil
		})
}

// loadMarked loads the record under key (NOT_FOUND naming what and id when
// absent) and, when markable says it may carry one, the marker under
// markerKey, which apply lays over it.
func loadMarked[T any](st State, key, markerKey, what, id string, markable func(*T) bool, apply func(*T, []byte) error) (*T, error) {
	v, err := mustGet[T](st, key, what, id)
	if err != nil || !markable(v) {
		return v, err
	}
	raw, err := st.GetState(markerKey)
	if err != nil {
		return nil, internal("read state: %v", err)
	}
	if raw == nil {
		return v, nil
	}
	if err := apply(v, raw); err != nil {
		return nil, internal("%s %.16s: %v", what, id, err)
	}
	return v, nil
}

// markSpent records t spent by this transaction into n outputs: the marker,
// not the whole token, and the event reports it SPLIT as before.
func (tx *txn) markSpent(t *model.Token, children []string) {
	tx.putRaw(spentKey(t.ID), spentMarker{At: tx.now, TxID: tx.id, Children: len(children)}.encode())
	t.Status, t.Children, t.UpdatedAt = model.TokenSplit, children, tx.now
	tx.tokenChanged(t, false)
}
