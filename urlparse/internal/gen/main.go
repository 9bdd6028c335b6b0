// Command gen writes urlparse's tables (tables_gen.go) from botocore's data:
// partitions.json (partitions, DNS suffixes, region formats), endpoints.json
// (global and irregular hostnames, hostname aliases) and every service model's
// metadata (endpoint prefix, signing name) and endpoint host prefixes.
//
// It reads the JSON files directly (gzip or not). It finds botocore's data
// folder from -botocore, then $BOTOCORE_DATA, then by asking python3 where
// botocore is installed. Run it with go generate in urlparse:
//
//	go generate ./urlparse/
package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"go/format"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
)

func main() {
	dir := flag.String("botocore", "", "botocore's data folder (default: $BOTOCORE_DATA, else asks python3)")
	out := flag.String("o", "tables_gen.go", "output file")
	flag.Parse()
	if err := run(*dir, *out); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(dir, out string) error {
	dir, err := locate(dir)
	if err != nil {
		return err
	}
	src, warnings, err := generate(dir)
	for _, w := range warnings {
		fmt.Fprintln(os.Stderr, "gen: warning:", w)
	}
	if err != nil {
		return err
	}
	return os.WriteFile(out, src, 0o644)
}

// errNoBotocore means botocore's data folder was not found.
var errNoBotocore = errors.New("botocore not found: pip install botocore, or set BOTOCORE_DATA to its data folder")

// locate returns botocore's data folder.
func locate(dir string) (string, error) {
	if dir == "" {
		dir = os.Getenv("BOTOCORE_DATA")
	}
	if dir == "" {
		out, err := exec.Command("python3", "-c", "import botocore,os;print(os.path.join(os.path.dirname(botocore.__file__),'data'))").Output()
		if err != nil {
			return "", errNoBotocore
		}
		dir = strings.TrimSpace(string(out))
	}
	if _, err := os.Stat(filepath.Join(dir, "endpoints.json")); err != nil {
		return "", fmt.Errorf("%w (no endpoints.json in %s)", errNoBotocore, dir)
	}
	return dir, nil
}

// Facts botocore's data does not say in a form the generator can read.
var (
	// keyCanonical maps endpoints.json service keys that are not the
	// endpoint prefix of any service model to the prefix that is.
	keyCanonical = map[string]string{
		"data.iot":            "data-ats.iot", // IoT data plane, legacy (non-ATS) name
		"docdb":               "rds",
		"neptune":             "rds",
		"ioteventsdata":       "data.iotevents",
		"iotsecuredtunneling": "api.tunneling.iot",
		"iotwireless":         "api.iotwireless",
	}
	// extraSigning gives signing names for endpoints.json keys that no
	// service model in botocore describes.
	extraSigning = map[string]string{
		"transcribestreaming": "transcribe", // Transcribe streaming ships only in the SDKs
	}
	// handledInGo lists endpoint prefixes whose hostnames s3.go parses by hand.
	handledInGo = map[string]bool{"s3": true, "s3-control": true}
)

type partitionsFile struct {
	Partitions []struct {
		ID      string `json:"id"`
		Outputs struct {
			DNSSuffix            string `json:"dnsSuffix"`
			DualStackDNSSuffix   string `json:"dualStackDnsSuffix"`
			ImplicitGlobalRegion string `json:"implicitGlobalRegion"`
		} `json:"outputs"`
		RegionRegex string                     `json:"regionRegex"`
		Regions     map[string]json.RawMessage `json:"regions"`
	} `json:"partitions"`
}

type endpointsFile struct {
	Partitions []struct {
		Partition string `json:"partition"`
		DNSSuffix string `json:"dnsSuffix"`
		Defaults  struct {
			Hostname string    `json:"hostname"`
			Variants []variant `json:"variants"`
		} `json:"defaults"`
		Services map[string]struct {
			PartitionEndpoint string   `json:"partitionEndpoint"`
			IsRegionalized    *bool    `json:"isRegionalized"`
			Defaults          endpoint `json:"defaults"`
			Endpoints         map[string]endpoint
		} `json:"services"`
	} `json:"partitions"`
}

type endpoint struct {
	Hostname        string    `json:"hostname"`
	CredentialScope *scope    `json:"credentialScope"`
	Variants        []variant `json:"variants"`
	Deprecated      bool      `json:"deprecated"`
}

type variant struct {
	Hostname  string   `json:"hostname"`
	DNSSuffix string   `json:"dnsSuffix"`
	Tags      []string `json:"tags"`
}

type scope struct {
	Region  string `json:"region"`
	Service string `json:"service"`
}

type model struct {
	Metadata struct {
		EndpointPrefix string `json:"endpointPrefix"`
		SigningName    string `json:"signingName"`
	} `json:"metadata"`
	Operations map[string]struct {
		Endpoint struct {
			HostPrefix string `json:"hostPrefix"`
		} `json:"endpoint"`
	} `json:"operations"`
}

// part is a partition as the generated code sees it.
type part struct {
	id, dnsSuffix, dualStackSuffix, globalRegion, regex string
	prefixes, regions                                   []string
	re                                                  *regexp.Regexp
}

type exact struct {
	partition                                   int
	service, signingName, region, signingRegion string
	global, fips, dualStack                     bool
}

func readJSON(path string, v any) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(path, ".gz") {
		zr, err := gzip.NewReader(f)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		defer zr.Close()
		r = zr
	}
	if err := json.NewDecoder(r).Decode(v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// regionPrefixes turns botocore's region regexes, all of the form
// ^PREFIX\-\w+\-\d+$ or ^(A|B|C)\-\w+\-\d+$ (with literal text around the
// group), into the literal prefixes a region starts with. Any other form is an
// error, so that a new kind of regex is noticed rather than mis-parsed.
func regionPrefixes(re string) ([]string, error) {
	const tail = `\-\w+\-\d+$`
	if !strings.HasPrefix(re, "^") || !strings.HasSuffix(re, tail) {
		return nil, fmt.Errorf("region regex %q is not ^...%s", re, tail)
	}
	body := strings.ReplaceAll(re[1:len(re)-len(tail)], `\-`, "-")
	head, alts, rest := body, []string{""}, ""
	if i := strings.IndexByte(body, '('); i >= 0 {
		j := strings.IndexByte(body, ')')
		if j < i {
			return nil, fmt.Errorf("region regex %q: unbalanced group", re)
		}
		head, alts, rest = body[:i], strings.Split(body[i+1:j], "|"), body[j+1:]
	}
	var out []string
	for _, a := range alts {
		p := head + a + rest + "-"
		for _, c := range p {
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
				return nil, fmt.Errorf("region regex %q: cannot read %q as literal text", re, p)
			}
		}
		out = append(out, p)
	}
	sort.Strings(out)
	return out, nil
}

func (p *part) isRegion(s string) bool { return p.re.MatchString(s) || slices.Contains(p.regions, s) }

func generate(dir string) (src []byte, warnings []string, err error) {
	warn := func(format string, args ...any) { warnings = append(warnings, fmt.Sprintf(format, args...)) }

	version := "unknown"
	if b, err := os.ReadFile(filepath.Join(dir, "..", "__init__.py")); err == nil {
		if m := regexp.MustCompile(`__version__\s*=\s*['"]([^'"]+)['"]`).FindSubmatch(b); m != nil {
			version = string(m[1])
		}
	}

	// Partitions.
	var pf partitionsFile
	if err := readJSON(filepath.Join(dir, "partitions.json"), &pf); err != nil {
		return nil, nil, err
	}
	var parts []*part
	partIndex := map[string]int{}
	for _, p := range pf.Partitions {
		prefixes, err := regionPrefixes(p.RegionRegex)
		if err != nil {
			return nil, nil, err
		}
		np := &part{
			id: p.ID, dnsSuffix: p.Outputs.DNSSuffix, dualStackSuffix: p.Outputs.DualStackDNSSuffix,
			globalRegion: p.Outputs.ImplicitGlobalRegion, regex: p.RegionRegex, prefixes: prefixes,
			re: regexp.MustCompile(p.RegionRegex),
		}
		for r := range p.Regions {
			if np.re.MatchString(r) {
				np.regions = append(np.regions, r)
			}
		}
		sort.Strings(np.regions)
		partIndex[np.id] = len(parts)
		parts = append(parts, np)
	}

	// Service models: endpoint prefix → signing name, and host prefixes.
	models, err := readModels(dir)
	if err != nil {
		return nil, nil, err
	}
	services := map[string]string{} // endpoint prefix → signing name
	prefixOwner := map[string]string{}
	aliases := map[string]string{}   // host prefix → endpoint prefix
	resources := map[string]string{} // endpoint prefix → name of its leading host label
	addAlias := func(from, to, why string) {
		if from == to {
			return
		}
		if _, ok := services[from]; ok {
			return // a model's own prefix is never an alias
		}
		if old, ok := aliases[from]; ok && old != to {
			warn("host prefix %q means both %q and %q (%s); keeping %q", from, old, to, why, old)
			return
		}
		aliases[from] = to
	}
	for _, m := range models {
		ep, sn := m.model.Metadata.EndpointPrefix, m.model.Metadata.SigningName
		if ep == "" {
			continue
		}
		if sn == "" {
			sn = ep
		}
		if old, ok := services[ep]; ok && old != sn {
			return nil, nil, fmt.Errorf("endpoint prefix %q signs as %q (%s) and %q (%s)", ep, old, prefixOwner[ep], sn, m.name)
		}
		services[ep] = sn
		prefixOwner[ep] = m.name
	}
	for _, m := range models {
		ep := m.model.Metadata.EndpointPrefix
		if ep == "" || handledInGo[ep] {
			continue
		}
		for _, op := range m.model.Operations {
			hp := op.Endpoint.HostPrefix
			switch {
			case hp == "":
			case strings.HasPrefix(hp, "{") && strings.HasSuffix(hp, "}.") && strings.Count(hp, "{") == 1:
				resources[ep] = hp[1 : len(hp)-2]
			case !strings.Contains(hp, "{"):
				addAlias(hp+ep, ep, m.name+" hostPrefix")
			default:
				warn("%s: host prefix %q not understood; skipped", m.name, hp)
			}
		}
	}

	// endpoints.json.
	var ef endpointsFile
	if err := readJSON(filepath.Join(dir, "endpoints.json"), &ef); err != nil {
		return nil, nil, err
	}
	canonical := func(key string) string {
		if _, ok := services[key]; ok {
			return key
		}
		if c, ok := keyCanonical[key]; ok {
			return c
		}
		return key
	}
	// Keys no model describes become services of their own.
	for _, p := range ef.Partitions {
		for key, sv := range p.Services {
			c := canonical(key)
			if _, ok := services[c]; ok {
				continue
			}
			sn := extraSigning[c]
			if sn == "" && sv.Defaults.CredentialScope != nil {
				sn = sv.Defaults.CredentialScope.Service
			}
			if sn == "" {
				sn = c
			}
			services[c] = sn
		}
	}
	exacts := map[string]exact{}
	unregionalized := map[string]bool{} // services botocore marks isRegionalized false in the aws partition
	for _, p := range ef.Partitions {
		pi, ok := partIndex[p.Partition]
		if !ok {
			return nil, nil, fmt.Errorf("endpoints.json partition %q is not in partitions.json", p.Partition)
		}
		pt := parts[pi]
		keys := make([]string, 0, len(p.Services))
		for k := range p.Services {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, key := range keys {
			sv := p.Services[key]
			svc := canonical(key)
			if handledInGo[svc] {
				continue
			}
			global := sv.IsRegionalized != nil && !*sv.IsRegionalized
			if global && p.Partition == "aws" {
				unregionalized[svc] = true
			}
			eks := make([]string, 0, len(sv.Endpoints))
			for k := range sv.Endpoints {
				eks = append(eks, k)
			}
			sort.Strings(eks)
			for _, ek := range eks {
				e := sv.Endpoints[ek]
				isGlobal := global || ek == sv.PartitionEndpoint || strings.HasSuffix(ek, "-global") || ek == "aws-global"
				type hn struct {
					host string
					dual bool
				}
				hosts := []hn{}
				// Only a region key fills in {region}: keys such as
				// "fips-us-east-1" name their region in credentialScope.
				region := ek
				if !pt.isRegion(ek) {
					region = ""
					if e.CredentialScope != nil {
						region = e.CredentialScope.Region
					}
				}
				expand := func(tmpl, suffix string, dual bool) {
					if tmpl == "" || region == "" && strings.Contains(tmpl, "{region}") {
						return
					}
					h := strings.NewReplacer("{service}", key, "{region}", region, "{dnsSuffix}", suffix).Replace(tmpl)
					hosts = append(hosts, hn{h, dual})
				}
				host := e.Hostname
				if host == "" {
					host = sv.Defaults.Hostname
				}
				if host == "" {
					host = p.Defaults.Hostname
				}
				expand(host, pt.dnsSuffix, false)
				vars := append(slices.Clone(e.Variants), sv.Defaults.Variants...)
				for _, v := range vars {
					if v.Hostname == "" {
						continue
					}
					suffix := v.DNSSuffix
					if suffix == "" {
						suffix = pt.dnsSuffix
						if slices.Contains(v.Tags, "dualstack") {
							suffix = pt.dualStackSuffix
						}
					}
					expand(v.Hostname, suffix, slices.Contains(v.Tags, "dualstack"))
				}
				for _, h := range hosts {
					if strings.Contains(h.host, "{") {
						warn("%s/%s/%s: hostname %q not expanded; skipped", p.Partition, key, ek, h.host)
						continue
					}
					rest, dual, ok := cutSuffix(h.host, pt)
					if !ok {
						continue // localhost:8000 and the like
					}
					region := ""
					prefix := rest
					if i := strings.LastIndexByte(rest, '.'); i >= 0 && pt.isRegion(rest[i+1:]) {
						region, prefix = rest[i+1:], rest[:i]
					}
					if region != "" && !isGlobal {
						// SERVICE.REGION.SUFFIX: only the prefix may need an alias.
						addAlias(strings.TrimSuffix(stripFIPS(prefix), ".dualstack"), svc, p.Partition+"/"+key+"/"+ek)
						continue
					}
					x := exact{partition: pi, service: svc, signingName: services[svc], global: isGlobal, dualStack: dual, fips: hasFIPS(prefix)}
					if cs := e.CredentialScope; cs != nil && cs.Service != "" {
						x.signingName = cs.Service
					}
					x.region = region
					switch {
					case e.CredentialScope != nil && e.CredentialScope.Region != "":
						x.signingRegion = e.CredentialScope.Region
					case region != "":
						x.signingRegion = region
					case pt.isRegion(ek):
						x.signingRegion = ek
					default:
						x.signingRegion = pt.globalRegion
					}
					if x.region == "" && !x.global {
						x.region = x.signingRegion
					}
					if old, ok := exacts[h.host]; ok {
						if old.service != x.service || old.signingRegion != x.signingRegion || old.signingName != x.signingName {
							warn("host %s is both %+v and %+v; keeping the first", h.host, old, x)
						}
						old.global = old.global || x.global
						exacts[h.host] = old
						continue
					}
					exacts[h.host] = x
				}
			}
		}
	}

	// Render.
	var b bytes.Buffer
	fmt.Fprintf(&b, "// Code generated by go run ./internal/gen from botocore %s; DO NOT EDIT.\n\n", version)
	b.WriteString("package urlparse\n\n")
	fmt.Fprintf(&b, "// botocoreVersion is the botocore release the tables were generated from.\nconst botocoreVersion = %q\n\n", version)

	b.WriteString("// partitions, in partitions.json's order.\nvar partitions = [...]partition{\n")
	for _, p := range parts {
		fmt.Fprintf(&b, "\t{id: %q, dnsSuffix: %q, dualStackSuffix: %q, globalRegion: %q,\n\t\tregionRegex: %s, regionPrefixes: %s,\n\t\tregions: %s},\n",
			p.id, p.dnsSuffix, p.dualStackSuffix, p.globalRegion, "`"+p.regex+"`", strList(p.prefixes), strList(p.regions))
	}
	b.WriteString("}\n\n")

	b.WriteString("// services maps every endpoint prefix botocore knows to its signing name.\nvar services = map[string]string{\n")
	for _, k := range slices.Sorted(maps.Keys(services)) {
		fmt.Fprintf(&b, "\t%q: %q,\n", k, services[k])
	}
	b.WriteString("}\n\n")

	b.WriteString("// hostAliases maps the service labels of hostnames that are not an endpoint\n// prefix (dual-stack names, operation host prefixes, legacy names) to the\n// endpoint prefix they stand for.\nvar hostAliases = map[string]string{\n")
	for _, k := range slices.Sorted(maps.Keys(aliases)) {
		fmt.Fprintf(&b, "\t%q: %q,\n", k, aliases[k])
	}
	b.WriteString("}\n\n")

	b.WriteString("// resourceLabels maps endpoint prefixes whose hosts start with a resource\n// label (an operation host prefix such as \"{graphIdentifier}.\") to that label's name.\nvar resourceLabels = map[string]string{\n")
	for _, k := range slices.Sorted(maps.Keys(resources)) {
		fmt.Fprintf(&b, "\t%q: %q,\n", k, resources[k])
	}
	b.WriteString("}\n\n")

	b.WriteString("// unregionalized are the endpoint prefixes of services that have only a\n// partition-wide endpoint (botocore: isRegionalized false), in the aws partition.\nvar unregionalized = map[string]bool{\n")
	for _, k := range slices.Sorted(maps.Keys(unregionalized)) {
		fmt.Fprintf(&b, "\t%q: true,\n", k)
	}
	b.WriteString("}\n\n")

	b.WriteString("// exactHosts holds the hostnames of global (partition-wide) endpoints and\n// the hostnames that are not SERVICE.REGION.SUFFIX.\nvar exactHosts = map[string]exactHost{\n")
	for _, k := range slices.Sorted(maps.Keys(exacts)) {
		x := exacts[k]
		fmt.Fprintf(&b, "\t%q: {partition: %d, service: %q, signingName: %q, region: %q, signingRegion: %q",
			k, x.partition, x.service, x.signingName, x.region, x.signingRegion)
		for _, f := range []struct {
			name string
			v    bool
		}{{"global", x.global}, {"fips", x.fips}, {"dualStack", x.dualStack}} {
			if f.v {
				fmt.Fprintf(&b, ", %s: true", f.name)
			}
		}
		fmt.Fprintf(&b, "}, // %s\n", parts[x.partition].id)
	}
	b.WriteString("}\n")

	src, err = format.Source(b.Bytes())
	if err != nil {
		return nil, warnings, fmt.Errorf("format: %w\n%s", err, b.Bytes())
	}
	return src, warnings, nil
}
