package main

// The stores this program opens by URL (--store, ALTER_MCP_STORE): the
// vault links no driver of its own. sqlite:// is the embedded default;
// postgres:// is the database that many replicas share.
import (
	_ "github.com/alter-mcp/alter-mcp/store/postgres"
	_ "github.com/alter-mcp/alter-mcp/store/sqlite"
)
