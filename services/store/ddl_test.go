package store

import "testing"

func TestDDL(t *testing.T) {
	const text = "CREATE TABLE t (seq {{seq}}, body {{blob}} NOT NULL, note TEXT)"
	for _, tc := range []struct {
		d    Dialect
		want string
	}{
		{SQLite, "CREATE TABLE t (seq INTEGER PRIMARY KEY AUTOINCREMENT, body BLOB NOT NULL, note TEXT)"},
		{Postgres, "CREATE TABLE t (seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, body BYTEA NOT NULL, note TEXT)"},
	} {
		if got := tc.d.DDL().Replace(text); got != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", tc.d, got, tc.want)
		}
	}
}
