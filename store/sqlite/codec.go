package sqlite

import "github.com/alter-mcp/alter-mcp/store/internal/sqlcol"

// How records map to columns is shared with store/postgres, in
// store/internal/sqlcol; what is SQLite's own is here.

// qmark is SQLite's placeholder, the same for every argument.
func qmark(int) string { return "?" }

// scanner is a *sql.Row or *sql.Rows.
type scanner = sqlcol.Row
