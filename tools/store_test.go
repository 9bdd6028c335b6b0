package tools

// The vault opens its store by URL through store.Open and links no driver;
// these tests open vaults on the default sqlite:// store.
import _ "github.com/alter-mcp/alter-mcp/store/sqlite"
