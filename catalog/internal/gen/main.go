// Command gen writes catalog.tsv.gz, the table of AWS services and operations
// that package catalog embeds, from the service models that ship with
// botocore (data/<service>/<api-version>/service-2.json[.gz]). It reads the
// JSON files directly; Python is used only to find botocore when neither
// -botocore nor ALTER_MCP_BOTOCORE says where it is.
//
//	go generate ./catalog                        # from the module root
//	go run ./catalog/internal/gen -botocore DIR -out catalog/catalog.tsv.gz
package main

import (
	"flag"
	"fmt"
	"os"
)

func main() {
	dir := flag.String("botocore", os.Getenv("ALTER_MCP_BOTOCORE"), "botocore package directory (the one holding data/); default: ask python3, then look in the usual site-packages")
	out := flag.String("out", "catalog.tsv.gz", "file to write")
	flag.Parse()

	if err := run(*dir, *out); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(dir, out string) error {
	if dir == "" {
		var err error
		if dir, err = findBotocore(); err != nil {
			return err
		}
	}
	cat, err := Load(dir)
	if err != nil {
		return err
	}
	data, err := cat.Gzip()
	if err != nil {
		return err
	}
	if err := os.WriteFile(out, data, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "gen: botocore %s: %d services, %d operations, %d bytes (%d uncompressed) -> %s\n",
		cat.Version, len(cat.Services), cat.NumOperations(), len(data), len(cat.Encode()), out)
	return nil
}
