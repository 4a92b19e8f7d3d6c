package main

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// TestCPUProfileSegments: with CHAINCODE_CPU_PROFILE set, SIGUSR1 closes
// the open segment under its final name (a gzipped pprof profile) and
// opens the next.
func TestCPUProfileSegments(t *testing.T) {
	if err := startCPUProfile(""); err != nil {
		t.Fatalf("no directory: %v", err)
	}
	dir := t.TempDir()
	if err := startCPUProfile(dir); err != nil {
		t.Fatal(err)
	}
	pid := os.Getpid()
	for n := 0; n < 2; n++ {
		if err := syscall.Kill(pid, syscall.SIGUSR1); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, segmentName(pid, n))
		deadline := time.Now().Add(10 * time.Second)
		for {
			b, err := os.ReadFile(path)
			if err == nil {
				if len(b) < 2 || b[0] != 0x1f || b[1] != 0x8b {
					t.Fatalf("segment %d is not a gzipped profile (%d bytes)", n, len(b))
				}
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("segment %d not written: %v", n, err)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, segmentName(pid, 2)+".part")); err != nil {
		t.Errorf("segment 2 not open: %v", err)
	}
}
