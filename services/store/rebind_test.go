package store

import "testing"

func TestRebind(t *testing.T) {
	tests := []struct{ in, want string }{
		{"SELECT 1", "SELECT 1"},
		{"SELECT * FROM t WHERE a = ? AND b = ?", "SELECT * FROM t WHERE a = $1 AND b = $2"},
		{"INSERT INTO t VALUES (?,?,?)", "INSERT INTO t VALUES ($1,$2,$3)"},
		{"SELECT '?' , ? FROM t", "SELECT '?' , $1 FROM t"},
		{"SELECT 'it''s ?', ?", "SELECT 'it''s ?', $1"},
		{`SELECT "odd?col" FROM t WHERE x = ?`, `SELECT "odd?col" FROM t WHERE x = $1`},
		{"SELECT ? -- why?\n, ?", "SELECT $1 -- why?\n, $2"},
		{"SELECT ? /* what? */ , ?", "SELECT $1 /* what? */ , $2"},
		{"SELECT '?", "SELECT '?"},          // unterminated: copied as is
		{"SELECT ? -- ?", "SELECT $1 -- ?"}, // comment to the end
		{"SELECT ? /* ?", "SELECT $1 /* ?"},
		{"?????????????", "$1$2$3$4$5$6$7$8$9$10$11$12$13"},
	}
	pg := &DB{Dialect: Postgres}
	lite := &DB{Dialect: SQLite}
	for _, tt := range tests {
		if got := pg.Rebind(tt.in); got != tt.want {
			t.Errorf("Postgres Rebind(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if got := lite.Rebind(tt.in); got != tt.in {
			t.Errorf("SQLite Rebind(%q) = %q, want it unchanged", tt.in, got)
		}
	}
}

func FuzzRebind(f *testing.F) {
	f.Add("SELECT 'a?', ? FROM t -- ?\n WHERE x = ? /* ? */")
	f.Fuzz(func(t *testing.T, q string) {
		got := rebindDollar(q)
		if len(got) < len(q) {
			t.Fatalf("Rebind shortened %q to %q", q, got)
		}
	})
}
