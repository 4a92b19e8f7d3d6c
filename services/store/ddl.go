package store

import "strings"

// The types a migration names by placeholder, because the two dialects
// spell them differently: {{blob}} is a binary column, {{seq}} an
// auto-increment integer primary key (a table's insertion order).
var (
	sqliteDDL = strings.NewReplacer(
		"{{blob}}", "BLOB",
		"{{seq}}", "INTEGER PRIMARY KEY AUTOINCREMENT")
	postgresDDL = strings.NewReplacer(
		"{{blob}}", "BYTEA",
		"{{seq}}", "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY")
)

// DDL writes migration text for dialect d: one text serves both dialects,
// with {{blob}} for a binary column and {{seq}} for an auto-increment
// primary key. Every service's schema goes through it, so that the
// dialects differ in one place. The output is what Migrate checksums: a
// placeholder stands exactly where the dialect's type stood before.
func (d Dialect) DDL() *strings.Replacer {
	if d == Postgres {
		return postgresDDL
	}
	return sqliteDDL
}
