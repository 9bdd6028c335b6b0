package main

// Reading botocore's models, and the small helpers of generate.

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
)

// cutSuffix removes the partition's DNS suffix (or dual-stack suffix) from host.
func cutSuffix(host string, p *part) (rest string, dual, ok bool) {
	if rest, ok := strings.CutSuffix(host, "."+p.dualStackSuffix); ok && p.dualStackSuffix != "" {
		return rest, true, true
	}
	if rest, ok := strings.CutSuffix(host, "."+p.dnsSuffix); ok {
		return rest, false, true
	}
	return "", false, false
}

// stripFIPS removes the FIPS markers urlparse removes: a "-fips" at the end of
// any label and a leading "fips." label.
func stripFIPS(prefix string) string {
	prefix = strings.TrimPrefix(prefix, "fips.")
	labels := strings.Split(prefix, ".")
	for i, l := range labels {
		labels[i] = strings.TrimSuffix(l, "-fips")
	}
	return strings.Join(labels, ".")
}

func hasFIPS(prefix string) bool { return stripFIPS(prefix) != prefix }

type namedModel struct {
	name  string
	model model
}

// readModels reads the newest version of every service model.
func readModels(dir string) ([]namedModel, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var paths []string
	var names []string
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		versions, err := os.ReadDir(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		var newest string
		for _, v := range versions {
			if !v.IsDir() {
				continue
			}
			for _, f := range []string{"service-2.json", "service-2.json.gz"} {
				if _, err := os.Stat(filepath.Join(dir, e.Name(), v.Name(), f)); err == nil && v.Name() > newest {
					newest = v.Name()
				}
			}
		}
		if newest == "" {
			continue
		}
		p := filepath.Join(dir, e.Name(), newest, "service-2.json")
		if _, err := os.Stat(p); err != nil {
			p += ".gz"
		}
		paths = append(paths, p)
		names = append(names, e.Name()+"/"+newest)
	}
	out := make([]namedModel, len(paths))
	errs := make([]error, len(paths))
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	for i := range paths {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			out[i].name = names[i]
			errs[i] = readJSON(paths[i], &out[i].model)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no service models under %s", dir)
	}
	return out, nil
}

func strList(s []string) string {
	q := make([]string, len(s))
	for i, v := range s {
		q[i] = strconv.Quote(v)
	}
	return "[]string{" + strings.Join(q, ", ") + "}"
}
