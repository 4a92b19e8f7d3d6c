package main

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
)

func TestRunSubcommand(t *testing.T) {
	var got []string
	cmds := map[string]subcommand{"go": func(ctx context.Context, w io.Writer, args []string) error {
		if ctx.Err() != nil {
			t.Error("the command's context is already done")
		}
		got = args
		return nil
	}}
	var out bytes.Buffer
	if err := runSubcommand(&out, "grp", "USAGE\n", []string{"go", "-x", "y"}, cmds); err != nil || strings.Join(got, " ") != "-x y" || out.Len() != 0 {
		t.Errorf("go -x y: err %v, args %q, output %q", err, got, out.String())
	}
	for _, c := range []struct {
		args []string
		err  string
	}{
		{nil, "grp: missing command"},
		{[]string{"stop"}, `grp: unknown command "stop"`},
		{[]string{"help"}, ""},
		{[]string{"-h"}, ""},
	} {
		out.Reset()
		err := runSubcommand(&out, "grp", "USAGE\n", c.args, cmds)
		if (err == nil) != (c.err == "") || (err != nil && err.Error() != c.err) || out.String() != "USAGE\n" {
			t.Errorf("%q: err %v (want %q), output %q", c.args, err, c.err, out.String())
		}
	}
}

// The org commands check their flags before they look for a network.
func TestOrgFlagsCheckedBeforeAttaching(t *testing.T) {
	dir := t.TempDir() // no network here
	for _, c := range []struct {
		args []string
		err  string
	}{
		{[]string{"suspend", "--dir", dir}, "org suspend: --name is required"},
		{[]string{"remove", "--dir", dir}, "org remove: --name is required"},
		{[]string{"sign", "--dir", dir, "--as", "Core"}, "org sign: --as ORG and one update file"},
		{[]string{"submit", "--dir", dir, "update.pb"}, "org submit: --as ORG and one update file"},
	} {
		if err := runOrg(io.Discard, c.args); err == nil || err.Error() != c.err {
			t.Errorf("%q: %v, want %q", c.args, err, c.err)
		}
	}
}

// Every command that works on a network takes --dir, defaulting to
// defaultDir().
func TestCommandsTakeDir(t *testing.T) {
	for name, run := range map[string]func(io.Writer, []string) error{
		"up": runUp, "down": runDown, "status": runStatus, "ping": runPing, "demo": runDemo, "serve": runServe,
		"org add": func(w io.Writer, args []string) error { return runOrg(w, append([]string{"add"}, args...)) },
	} {
		var out bytes.Buffer
		if err := run(&out, []string{"-h"}); err == nil || !strings.Contains(out.String(), "-dir") || !strings.Contains(out.String(), defaultDir()) {
			t.Errorf("%s -h: %v, usage %q", name, err, out.String())
		}
	}
}
