package main

// The stores this program opens by URL (--store, ALTER_MCP_STORE): the
// vault links no driver of its own.
import (
	_ "github.com/alter-mcp/alter-mcp/store/sqlite"
)
