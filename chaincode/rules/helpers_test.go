package rules_test

import (
	"strings"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/zk/elgamal"
	"github.com/tierchain/tierchain/zk/group"
	"github.com/tierchain/tierchain/zk/pedersen"
)

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func mustCommitment(b []byte) *pedersen.Commitment { return must(pedersen.DecodeCommitment(b)) }

func mustElement(b []byte) *group.Element { return must(group.NewIdentity().SetCanonicalBytes(b)) }

func auditHandle(b []byte) (*elgamal.Handle, error) { return elgamal.DecodeHandle(b) }

// treeShape renders a provenance tree as id(child,child…).
func treeShape(n *model.ProvenanceNode) string {
	s := n.Token.ID
	if len(n.Children) == 0 {
		return s
	}
	var parts []string
	for i := range n.Children {
		parts = append(parts, treeShape(&n.Children[i]))
	}
	return s + "(" + strings.Join(parts, ",") + ")"
}

func renameShape(shape string, names map[string]string) string {
	for id, name := range names {
		shape = strings.ReplaceAll(shape, id, name)
	}
	return shape
}
