// Package selfcustody is a self-custody enterprise's device: its keys in a
// passphrase-sealed file (internal/keyseal), a wallet of its openings
// rebuilt from the chain (services/wallet on a local SQLite file), and the
// relay client through which it reads and writes the ledger via its
// organisation's gateway. `tierchain wallet` and the tests drive it.
package selfcustody

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/tierchain/tierchain/internal/keyseal"
)

// Keys are the device's keys (keyseal.Keys).
type Keys = keyseal.Keys

var (
	// ErrWrongPassphrase: the key file does not open with the passphrase
	// (or was altered).
	ErrWrongPassphrase = keyseal.ErrWrongPassphrase
	// ErrCorruptKeyFile: the key file is not a key file of this format.
	ErrCorruptKeyFile = keyseal.ErrCorrupt
	// ErrPermissions: the key file (or its folder) is readable or writable
	// by others than its owner.
	ErrPermissions = errors.New("selfcustody: key file permissions too open")
	// ErrExists: a key file is already there.
	ErrExists = errors.New("selfcustody: key file exists")
)

// NewKeys makes a fresh P-256 signing key and X25519 encryption key.
func NewKeys(enterpriseID, gateway string) (Keys, error) {
	return keyseal.NewKeys(enterpriseID, gateway)
}

// Save writes k to path sealed under passphrase, with mode 0600 (its
// folder made 0700 if new). With create it refuses to overwrite.
func Save(path, passphrase string, k Keys, create bool) error {
	return saveWith(path, passphrase, k, create, keyseal.DefaultKDF)
}

func saveWith(path, passphrase string, k Keys, create bool, p keyseal.KDF) error {
	out, err := keyseal.Seal(passphrase, k, p)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	// Write a sibling and rename, so a crash never leaves half a key file.
	tmp := path + ".tmp"
	w, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := w.Write(out); err != nil {
		w.Close()
		return err
	}
	if err := w.Sync(); err != nil {
		w.Close()
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	if create {
		if _, err := os.Stat(path); err == nil {
			os.Remove(tmp)
			return fmt.Errorf("%w: %s", ErrExists, path)
		}
	}
	return os.Rename(tmp, path)
}

// CheckPermissions refuses a key file that others may read or write, or
// in a folder others may write.
func CheckPermissions(path string) error {
	st, err := os.Stat(path)
	if err != nil {
		return err
	}
	if !st.Mode().IsRegular() {
		return fmt.Errorf("%w: %s is not a regular file", ErrPermissions, path)
	}
	if st.Mode().Perm()&0o077 != 0 {
		return fmt.Errorf("%w: %s is %s; chmod 600 it", ErrPermissions, path, st.Mode().Perm())
	}
	dir, err := os.Stat(filepath.Dir(path))
	if err != nil {
		return err
	}
	if dir.Mode().Perm()&0o022 != 0 {
		return fmt.Errorf("%w: its folder %s is writable by others (%s)", ErrPermissions, filepath.Dir(path), dir.Mode().Perm())
	}
	return nil
}

// Load opens the key file at path with passphrase, after checking its
// permissions.
func Load(path, passphrase string) (Keys, error) {
	if err := CheckPermissions(path); err != nil {
		return Keys{}, err
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return Keys{}, err
	}
	return keyseal.Open(raw, passphrase)
}
