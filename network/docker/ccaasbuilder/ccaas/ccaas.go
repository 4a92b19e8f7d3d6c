// Package ccaas implements the three steps of Fabric's external builder
// for chaincode as a service (detect, build, release): the package holds
// only a connection.json naming the running chaincode server, which the
// peer dials.
package ccaas

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Stable errors of the builder.
var (
	// ErrNotCCaaS: the package is not of type "ccaas" (detect declines it,
	// so the peer tries its next builder).
	ErrNotCCaaS = errors.New("ccaas: package type is not ccaas")
	// ErrUsage: unknown step or wrong number of arguments.
	ErrUsage = errors.New("ccaas: usage: detect SRC META | build SRC META OUT | release BUILD RELEASE")
	// ErrNoConnection: the package carries no connection.json.
	ErrNoConnection = errors.New("ccaas: connection.json missing from the package")
)

// maxFile bounds what the builder reads from a package (metadata.json and
// connection.json are a few KiB).
const maxFile = 1 << 20

// Run runs step (detect, build or release) with its arguments.
func Run(step string, args []string) error {
	switch {
	case step == "detect" && len(args) == 2:
		return Detect(filepath.Join(args[1], "metadata.json"))
	case step == "build" && len(args) == 3:
		return copyConnection(args[0], args[2])
	case step == "release" && len(args) == 2:
		return copyConnection(args[0], filepath.Join(args[1], "chaincode", "server"))
	}
	return fmt.Errorf("%w (got %s with %d arguments)", ErrUsage, step, len(args))
}

// Detect accepts a package whose metadata.json says "type": "ccaas".
func Detect(metadata string) error {
	b, err := readSmall(metadata)
	if err != nil {
		return err
	}
	return detectJSON(b)
}

func detectJSON(b []byte) error {
	var m struct {
		Type string `json:"type"`
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return fmt.Errorf("%w: metadata.json: %v", ErrNotCCaaS, err)
	}
	if m.Type != "ccaas" {
		return fmt.Errorf("%w: %q", ErrNotCCaaS, m.Type)
	}
	return nil
}

// copyConnection copies srcDir/connection.json into dstDir (created).
func copyConnection(srcDir, dstDir string) error {
	b, err := readSmall(filepath.Join(srcDir, "connection.json"))
	if errors.Is(err, os.ErrNotExist) {
		return ErrNoConnection
	}
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dstDir, 0o755); err != nil {
		return err
	}
	// It holds the client TLS key the peer presents to the server.
	return os.WriteFile(filepath.Join(dstDir, "connection.json"), b, 0o600)
}

func readSmall(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxFile+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxFile {
		return nil, fmt.Errorf("ccaas: %s is larger than %d bytes", path, maxFile)
	}
	return b, nil
}
