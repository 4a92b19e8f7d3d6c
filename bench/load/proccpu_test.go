package load

import (
	"os"
	"testing"
	"time"
)

func TestParseStatCPU(t *testing.T) {
	// A command with a space and a parenthesis; utime 250, stime 50 ticks.
	stat := "1234 (peer (x) node) S 1 1234 1234 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 12 0 100 0"
	d, err := parseStatCPU(stat)
	if err != nil || d != 3*time.Second {
		t.Fatalf("got %s, %v; want 3s", d, err)
	}
	if _, err := parseStatCPU("1234 (short) S 1"); err == nil {
		t.Fatal("short line accepted")
	}
	if _, err := parseStatCPU("no command"); err == nil {
		t.Fatal("line without a command accepted")
	}
	// This process: its own stat parses and it has used some CPU.
	if d, err := procCPU(os.Getpid()); err != nil || d < 0 {
		t.Fatalf("own CPU %s, %v", d, err)
	}
}

func TestMeasure(t *testing.T) {
	calls := 0
	m := Measure(20*time.Millisecond, func(n int) {
		calls++
		time.Sleep(time.Duration(n) * 100 * time.Microsecond)
	})
	if m.N <= 1 || calls < 2 || m.Wall < 20*time.Millisecond || m.CPU < 0 {
		t.Fatalf("%+v after %d calls", m, calls)
	}
	if got := PerOp(3*time.Millisecond, 2); got != 1.5 {
		t.Fatalf("PerOp = %v", got)
	}
	if PerOp(time.Second, 0) != 0 {
		t.Fatal("PerOp of no operation")
	}
}
