package transcript

import (
	"bytes"
	"encoding/hex"
	"testing"

	"github.com/tierchain/tierchain/zk/group"
)

func TestDeterministicAndSensitive(t *testing.T) {
	mk := func(protocol, label string, msg []byte) []byte {
		tr := New(protocol)
		tr.AppendMessage(label, msg)
		return tr.ChallengeBytes("c")
	}
	base := mk("p/v1", "x", []byte("hello"))
	if !bytes.Equal(base, mk("p/v1", "x", []byte("hello"))) {
		t.Fatal("same inputs, different challenge")
	}
	for name, other := range map[string][]byte{
		"protocol": mk("p/v2", "x", []byte("hello")),
		"label":    mk("p/v1", "y", []byte("hello")),
		"message":  mk("p/v1", "x", []byte("hellO")),
		// Length prefixes: moving a byte between label and message must change the challenge.
		"boundary": mk("p/v1", "xh", []byte("ello")),
	} {
		if bytes.Equal(base, other) {
			t.Errorf("changing the %s did not change the challenge", name)
		}
	}
}

func TestChallengesRatchet(t *testing.T) {
	tr := New("p/v1")
	a := tr.ChallengeBytes("c")
	b := tr.ChallengeBytes("c")
	if bytes.Equal(a, b) {
		t.Fatal("two challenges with the same label are equal")
	}
}

func TestCloneIsIndependent(t *testing.T) {
	tr := New("p/v1")
	tr.AppendUint64("n", 7)
	c := tr.Clone()
	c.AppendUint64("extra", 1)
	if bytes.Equal(tr.Clone().ChallengeBytes("c"), c.ChallengeBytes("c")) {
		t.Fatal("appending to a clone changed nothing")
	}
	if !bytes.Equal(tr.Clone().ChallengeBytes("c"), tr.Clone().ChallengeBytes("c")) {
		t.Fatal("clones of the same transcript disagree")
	}
}

func TestContextBinding(t *testing.T) {
	ch := func(c Context) []byte {
		tr := New("p/v1")
		tr.BindContext(c)
		return tr.ChallengeBytes("c")
	}
	base := Context{Channel: "scf", Chaincode: "tierchain", Kind: "split"}
	for _, c := range []Context{
		{Channel: "other", Chaincode: "tierchain", Kind: "split"},
		{Channel: "scf", Chaincode: "other", Kind: "split"},
		{Channel: "scf", Chaincode: "tierchain", Kind: "issue"},
	} {
		if bytes.Equal(ch(base), ch(c)) {
			t.Errorf("context %+v gives the same challenge as %+v", c, base)
		}
	}
}

// TestKnownAnswer freezes the transcript construction: a change here breaks
// every proof ever stored on a ledger, so it must come with a new version label.
func TestKnownAnswer(t *testing.T) {
	tr := New("tierchain/test/v1")
	tr.AppendMessage("m", []byte("abc"))
	tr.AppendUint64("n", 42)
	tr.AppendElement("B", group.NewGenerator())
	got := hex.EncodeToString(tr.ChallengeScalar("c").Bytes())
	const want = "3a9c07aca886fa62f3386931168ca31456ecc4007f1ef6bc0c820ee33591750e"
	if got != want {
		t.Fatalf("challenge = %s, want %s", got, want)
	}
}
