package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The outputs are the Fabric 2.5 CLIs' own (peer: "Error: …" on stderr,
// exit 1; osnadmin: the orderer's status and body, exit 0).
func TestClassify(t *testing.T) {
	join := []string{"peer", "channel", "join", "-b", "/tierchain/public/scf.block"}
	install := []string{"peer", "lifecycle", "chaincode", "install", "pkg.tar.gz"}
	approve := []string{"peer", "lifecycle", "chaincode", "approveformyorg", "--sequence", "1"}
	commit := []string{"peer", "lifecycle", "chaincode", "commit", "--sequence", "1"}
	osn := []string{"osnadmin", "channel", "join", "--channelID", "scf"}
	for _, c := range []struct {
		name string
		args []string
		ok   bool
		out  string
		want Outcome
	}{
		{"joined", join, true, "Successfully submitted proposal to join channel", Done},
		{"joined before", join, false, "Error: proposal failed (err: bad proposal response 500: cannot create ledger from genesis block: ledger [scf] already exists with state [ACTIVE])", DoneBefore},
		{"peer down", join, false, "Error: error getting endorser client for channel: endorser client failed to connect to peer0.bankb.tierchain.local:7180", Failed},
		{"installed", install, true, "Chaincode code package identifier: tierchain_1.0:ab12", Done},
		{"installed before", install, false, "Error: chaincode install failed with status: 500 - chaincode already successfully installed (package ID 'tierchain_1.0:ab12')", DoneBefore},
		{"approved", approve, true, "txid [ab] committed with status (VALID)", Done},
		{"approved before", approve, false, "Error: proposal failed with status: 500 - attempted to redefine uncommitted sequence (1) for namespace tierchain with unchanged content", DoneBefore},
		{"approved and committed", approve, false, "Error: proposal failed with status: 500 - attempted to redefine the current committed sequence (1) for namespace tierchain", DoneBefore},
		{"committed with other parameters", approve, false, "Error: proposal failed with status: 500 - attempted to redefine the current committed sequence (1) for namespace tierchain with different parameters: expected Version '1.0' to equal '2.0'", Failed},
		{"superseded", approve, false, "Error: proposal failed with status: 500 - currently defined sequence 2 is larger than requested sequence 1", DoneBefore},
		{"sequence too far", approve, false, "Error: proposal failed with status: 500 - requested sequence 3 is larger than the next available sequence number 2", Failed},
		{"not enough approvals", commit, false, "Error: transaction invalidated with status (ENDORSEMENT_POLICY_FAILURE)", Failed},
		{"committed before", commit, false, "Error: proposal failed with status: 500 - requested sequence is 1, but new definition must be sequence 2", DoneBefore},
		{"commit ahead", commit, false, "Error: proposal failed with status: 500 - requested sequence is 3, but new definition must be sequence 2", Failed},
		{"orderer joined", osn, true, "Status: 201\n{\n\t\"name\": \"scf\"\n}", Done},
		{"orderer joined before", osn, true, "Status: 405\n{\n\t\"error\": \"cannot join: channel already exists\"\n}", DoneBefore},
		{"orderer refuses the block", osn, true, "Status: 400\n{\n\t\"error\": \"invalid join block: block is not a config block\"\n}", Failed},
		{"orderer down", osn, false, "Error: Post \"https://orderer0.operator.tierchain.local:7051/participation/v1/channels\": dial tcp: connection refused", Failed},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := Classify(c.args, c.ok, c.out)
			if err != nil || got != c.want {
				t.Errorf("Classify = %v, %v; want %v", got, err, c.want)
			}
		})
	}
	if _, err := Classify([]string{"peer", "node", "reset"}, false, ""); !errors.Is(err, ErrUnknownStep) {
		t.Errorf("an unknown step: %v, want ErrUnknownStep", err)
	}
}

// TestRun runs a stand-in CLI (this test binary) through run: its exit
// status and output decide.
func TestRun(t *testing.T) {
	dir := t.TempDir()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	peer := filepath.Join(dir, "peer")
	if err := os.Symlink(exe, peer); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		out  string
		exit string
		want int
	}{
		{"ledger [scf] already exists with state [ACTIVE]", "1", 0},
		{"endorser client failed to connect", "1", 1},
		{"Successfully submitted proposal to join channel", "0", 0},
	} {
		var stdout, stderr bytes.Buffer
		t.Setenv("ONCE_FAKE_OUT", c.out)
		t.Setenv("ONCE_FAKE_EXIT", c.exit)
		if got := run([]string{peer, "channel", "join"}, &stdout, &stderr); got != c.want {
			t.Errorf("%q exit %s: once exits %d, want %d (%s)", c.out, c.exit, got, c.want, stderr.String())
		}
		if !strings.Contains(stderr.String()+stdout.String(), c.out) {
			t.Errorf("the CLI's output %q is not passed through: %q", c.out, stderr.String())
		}
	}
	if got := run([]string{"peer", "node", "reset"}, &bytes.Buffer{}, &bytes.Buffer{}); got != 2 {
		t.Errorf("an unknown step runs: exit %d", got)
	}
}

// TestMain is also the stand-in CLI of TestRun: started with
// ONCE_FAKE_OUT set, it prints that and exits with ONCE_FAKE_EXIT.
func TestMain(m *testing.M) {
	if out := os.Getenv("ONCE_FAKE_OUT"); out != "" {
		os.Stderr.WriteString(out + "\n")
		if os.Getenv("ONCE_FAKE_EXIT") != "0" {
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func FuzzClassify(f *testing.F) {
	f.Add("peer channel join", false, "ledger [scf] already exists")
	f.Add("osnadmin channel join", true, "Status: 405\ncannot join: channel already exists")
	f.Add("peer lifecycle chaincode commit", false, "requested sequence is 99999999999999999999, but new definition must be sequence 2")
	f.Fuzz(func(t *testing.T, cmd string, ok bool, out string) {
		got, err := Classify(strings.Fields(cmd), ok, out)
		if err != nil && got != Failed {
			t.Fatalf("an unknown step classified %v", got)
		}
	})
}
