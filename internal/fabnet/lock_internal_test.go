package fabnet

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestLockPortsPatience: a held range is refused at once without patience,
// taken once its holder lets go within the patience, and refused when the
// holder keeps it past it.
func TestLockPortsPatience(t *testing.T) {
	ctx := context.Background()
	base := 39000 + int(time.Now().UnixNano()%500)*2 // a lock file name no network uses
	held, err := lockPorts(ctx, base, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lockPorts(ctx, base, 0); !errors.Is(err, ErrPortsInUse) {
		t.Fatalf("held range without patience: %v, want ErrPortsInUse", err)
	}
	if _, err := lockPorts(ctx, base, 300*time.Millisecond); !errors.Is(err, ErrPortsInUse) {
		t.Fatalf("range held past the patience: %v, want ErrPortsInUse", err)
	}
	go func() {
		time.Sleep(200 * time.Millisecond)
		held.Close()
	}()
	got, err := lockPorts(ctx, base, 10*time.Second)
	if err != nil {
		t.Fatalf("range let go within the patience: %v", err)
	}
	got.Close()

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	again, _ := lockPorts(ctx, base, 0)
	defer again.Close()
	if _, err := lockPorts(cancelled, base, time.Minute); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled wait: %v, want context.Canceled", err)
	}
}
