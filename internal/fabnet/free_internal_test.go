package fabnet

import "testing"

// TestFreeBases: a free base lies below the kernel's ephemeral ports with
// its whole range free; a restart base sits between free bases (+500), so
// a concurrent FreeBase cannot take it while its network is stopped.
func TestFreeBases(t *testing.T) {
	for _, c := range []struct {
		name string
		f    func(int) (int, error)
		rem  int
	}{{"FreeBase", FreeBase, 0}, {"FreeRestartBase", FreeRestartBase, 500}} {
		base, err := c.f(1)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if base < 10000 || base >= 32768 || base%1000 != c.rem {
			t.Fatalf("%s = %d", c.name, base)
		}
		l := NewLayout(base, 1)
		if err := AddressesFree(append(l.ListenAddresses(), l.GatewayListenAddresses()...)); err != nil {
			t.Fatalf("%s = %d, not free: %v", c.name, base, err)
		}
	}
}
