package urlparse

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// The hand-written region matcher must agree with botocore's regexes.
func TestRegionMatcherMatchesRegex(t *testing.T) {
	var inputs []string
	for _, p := range partitions {
		for _, r := range p.regions {
			inputs = append(inputs, r, r+"a", r+"-1", "x"+r, strings.TrimRight(r, "0123456789"), strings.ToUpper(r))
			inputs = append(inputs, strings.Replace(r, "-", "_", 1), strings.Replace(r, "east", "east-west", 1))
		}
	}
	inputs = append(inputs, "", "-", "us-", "us--1", "us-east-", "us-east-1-", "us-e_st-1", "us-9-9", "eusc-de-east-1", "eusc-fr-east-1",
		"us-gov-west-1", "us-iso-east-1", "us-isob-east-1", "eu-isoe-west-1", "us-isof-south-1", "cn-north-1", "aws-global", "global", "s3-us-west-2")
	for _, p := range partitions {
		re := regexp.MustCompile(p.regionRegex)
		for _, in := range inputs {
			if got, want := p.isRegion(in), re.MatchString(in); got != want {
				t.Errorf("partition %s: isRegion(%q) = %v, regex %s says %v", p.id, in, got, p.regionRegex, want)
			}
		}
		if len(p.regions) == 0 {
			t.Errorf("partition %s lists no regions", p.id)
		}
	}
}

// Suffix matching takes the first suffix that fits; with nested suffixes the
// order would matter. botocore has none today.
func TestSuffixesNotNested(t *testing.T) {
	for _, a := range suffixes {
		for _, b := range suffixes {
			if a.name != b.name && strings.HasSuffix(a.name, "."+b.name) {
				t.Errorf("suffix %q ends with suffix %q", a.name, b.name)
			}
		}
	}
	if suffixes[0].name != "amazonaws.com" {
		t.Errorf("the first suffix tried is %s, not amazonaws.com", suffixes[0].name)
	}
	want := []string{"amazonaws.com", "amazonaws.com.cn", "api.aws", "on.aws", "amazonaws.eu", "c2s.ic.gov", "sc2s.sgov.gov", "cloud.adc-e.uk", "csp.hci.ic.gov"}
	for _, w := range want {
		if !strings.Contains(suffixList, "."+w) {
			t.Errorf("suffixList %q lacks .%s", suffixList, w)
		}
	}
	var ids []string
	for _, p := range partitions {
		ids = append(ids, p.id)
	}
	sort.Strings(ids)
	if got := strings.Join(ids, " "); got != "aws aws-cn aws-eusc aws-iso aws-iso-b aws-iso-e aws-iso-f aws-us-gov" {
		t.Errorf("partitions = %s", got)
	}
}

// The services table holds every endpoint prefix whose signing name differs;
// check a sample against what AWS documents.
func TestSigningNames(t *testing.T) {
	differ := 0
	for prefix, sn := range services {
		if prefix != sn {
			differ++
		}
	}
	if differ < 60 {
		t.Errorf("%d endpoint prefixes sign under another name; botocore has about 70", differ)
	}
	for prefix, want := range map[string]string{
		"bedrock-runtime":                   "bedrock",
		"bedrock-agent-runtime":             "bedrock",
		"bedrock-agent":                     "bedrock",
		"monitoring":                        "monitoring",
		"execute-api":                       "execute-api",
		"data-ats.iot":                      "iotdata",
		"runtime.sagemaker":                 "sagemaker",
		"api.sagemaker":                     "sagemaker",
		"es":                                "es",
		"email":                             "ses",
		"streams.dynamodb":                  "dynamodb",
		"s3-control":                        "s3",
		"pinpoint":                          "mobiletargeting",
		"portal.sso":                        "awsssoportal",
		"oidc":                              "sso-oauth",
		"api.ecr":                           "ecr",
		"participant.connect":               "execute-api",
		"appconfigdata":                     "appconfig",
		"runtime.lex":                       "lex",
		"api.tunneling.iot":                 "IoTSecuredTunneling",
		"metering.marketplace":              "aws-marketplace",
		"controlplane.payment-cryptography": "payment-cryptography",
		"transcribestreaming":               "transcribe",
		"sqs":                               "sqs",
	} {
		if got := services[prefix]; got != want {
			t.Errorf("services[%q] = %q, want %q", prefix, got, want)
		}
	}
	for alias, target := range hostAliases {
		if _, ok := services[target]; !ok {
			t.Errorf("hostAliases[%q] = %q, which is not in services", alias, target)
		}
		if _, ok := services[alias]; ok {
			t.Errorf("hostAliases has %q, which is an endpoint prefix itself", alias)
		}
	}
	for svc := range resourceLabels {
		if _, ok := services[svc]; !ok {
			t.Errorf("resourceLabels has %q, which is not in services", svc)
		}
	}
	for host, x := range exactHosts {
		ep, err := Parse("https://" + host + "/")
		if err != nil {
			t.Errorf("exact host %s: %v", host, err)
			continue
		}
		if ep.Service != x.service || ep.SigningRegion != x.signingRegion || ep.Partition != partitions[x.partition].id {
			t.Errorf("exact host %s parses as %s/%s/%s", host, ep.Partition, ep.Service, ep.SigningRegion)
		}
	}
}

// botocoreData finds botocore's data folder, or skips the test: when
// botocore is missing, and when it is another release than the tables came
// from (botocoreVersion), whose new regions and services the tables cannot
// know.
func botocoreData(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("BOTOCORE_DATA")
	if dir == "" {
		out, err := exec.Command("python3", "-c", "import botocore,os;print(os.path.join(os.path.dirname(botocore.__file__),'data'))").Output()
		if err != nil {
			t.Skip("botocore is not installed (pip install botocore, or set BOTOCORE_DATA): skipping the check against its data")
		}
		dir = strings.TrimSpace(string(out))
	}
	if _, err := os.Stat(filepath.Join(dir, "endpoints.json")); err != nil {
		t.Skipf("no endpoints.json in %s: skipping the check against botocore's data", dir)
	}
	if v := botocoreRelease(dir); v != "" && v != botocoreVersion {
		t.Skipf("botocore %s is installed, the tables come from %s: skipping the check against its data (go generate ./urlparse/ updates the tables)", v, botocoreVersion)
	}
	return dir
}

// botocoreRelease reads __version__ from the botocore package that holds the
// data folder dir, or returns "" when it cannot.
func botocoreRelease(dir string) string {
	b, err := os.ReadFile(filepath.Join(dir, "..", "__init__.py"))
	if err != nil {
		return ""
	}
	m := regexp.MustCompile(`__version__\s*=\s*['"]([^'"]+)['"]`).FindSubmatch(b)
	if m == nil {
		return ""
	}
	return string(m[1])
}

// TestBotocoreOtherRelease: the checks against botocore's data skip, with a
// message, when another botocore release is installed.
func TestBotocoreOtherRelease(t *testing.T) {
	pkg := filepath.Join(t.TempDir(), "botocore")
	data := filepath.Join(pkg, "data")
	if err := os.MkdirAll(data, 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(pkg, "__init__.py"), []byte("__version__ = '0.0.1'\n"), 0o644)
	os.WriteFile(filepath.Join(data, "endpoints.json"), []byte("{}"), 0o644)
	t.Setenv("BOTOCORE_DATA", data)
	skipped := false
	t.Run("other", func(t *testing.T) {
		defer func() { skipped = t.Skipped() }()
		botocoreData(t)
	})
	if !skipped {
		t.Error("botocoreData did not skip for botocore 0.0.1")
	}
	os.WriteFile(filepath.Join(pkg, "__init__.py"), []byte("__version__ = '"+botocoreVersion+"'\n"), 0o644)
	if got := botocoreData(t); got != data {
		t.Errorf("botocoreData = %s for the tables' own release, want %s", got, data)
	}
}

// Every regional hostname in botocore's endpoints.json parses, in the right
// partition and region, with botocore's signing region.
func TestBotocoreHostnames(t *testing.T) {
	dir := botocoreData(t)
	b, err := os.ReadFile(filepath.Join(dir, "endpoints.json"))
	if err != nil {
		t.Fatal(err)
	}
	type variant struct {
		Hostname  string   `json:"hostname"`
		DNSSuffix string   `json:"dnsSuffix"`
		Tags      []string `json:"tags"`
	}
	type endpoint struct {
		Hostname        string `json:"hostname"`
		CredentialScope struct {
			Region  string `json:"region"`
			Service string `json:"service"`
		} `json:"credentialScope"`
		Deprecated bool      `json:"deprecated"`
		Variants   []variant `json:"variants"`
	}
	var ef struct {
		Partitions []struct {
			Partition string `json:"partition"`
			DNSSuffix string `json:"dnsSuffix"`
			Defaults  struct {
				Variants []variant `json:"variants"`
			} `json:"defaults"`
			Services map[string]struct {
				Defaults  endpoint            `json:"defaults"`
				Endpoints map[string]endpoint `json:"endpoints"`
			} `json:"services"`
		} `json:"partitions"`
	}
	if err := json.Unmarshal(b, &ef); err != nil {
		t.Fatal(err)
	}
	checked, failed := 0, 0
	for _, p := range ef.Partitions {
		pt := partitionByID(p.Partition)
		for key, sv := range p.Services {
			for region, e := range sv.Endpoints {
				if !pt.isRegion(region) || e.Deprecated {
					continue // fips-us-east-1 and the like: botocore's aliases, not hostnames
				}
				host := e.Hostname
				if host == "" {
					host = sv.Defaults.Hostname
				}
				if host == "" {
					host = "{service}.{region}.{dnsSuffix}"
				}
				host = strings.NewReplacer("{service}", key, "{region}", region, "{dnsSuffix}", p.DNSSuffix).Replace(host)
				if strings.Contains(host, ":") {
					continue // localhost:8000
				}
				checked++
				ep, err := Parse("https://" + host + "/")
				if err != nil {
					failed++
					t.Errorf("%s %s %s: %v", p.Partition, key, region, err)
					continue
				}
				wantRegion := region
				if r := e.CredentialScope.Region; r != "" {
					wantRegion = r
				}
				if ep.Partition != p.Partition || ep.SigningRegion != wantRegion {
					failed++
					t.Errorf("%s %s %s: %s parses as partition %s, signing region %s; want %s, %s", p.Partition, key, region, host, ep.Partition, ep.SigningRegion, p.Partition, wantRegion)
				}
				if sn := e.CredentialScope.Service; sn != "" && ep.SigningName != sn {
					failed++
					t.Errorf("%s %s %s: %s signs as %s, want %s", p.Partition, key, region, host, ep.SigningName, sn)
				}
				// FIPS and dual-stack variants of the same endpoint.
				for _, v := range e.Variants {
					tags := strings.Join(v.Tags, ",")
					vhost, suffix := v.Hostname, v.DNSSuffix
					for _, d := range append(sv.Defaults.Variants, p.Defaults.Variants...) {
						if strings.Join(d.Tags, ",") == tags {
							if vhost == "" {
								vhost = d.Hostname
							}
							if suffix == "" {
								suffix = d.DNSSuffix
							}
						}
					}
					if vhost == "" || suffix == "" {
						continue
					}
					vhost = strings.NewReplacer("{service}", key, "{region}", region, "{dnsSuffix}", suffix).Replace(vhost)
					if _, ok := exactHosts[vhost]; ok {
						continue // global endpoints: checked against the generated table
					}
					checked++
					ep, err := Parse("https://" + vhost + "/")
					if err != nil {
						failed++
						t.Errorf("%s %s %s %s: %v", p.Partition, key, region, tags, err)
						continue
					}
					// Parse reads the name, and botocore's tags do not always
					// say what the name does: cognito-identity.us-east-1 is
					// tagged dualstack, kendra-ranking-fips.REGION.api.aws
					// only fips.
					fips := strings.Contains(tags, "fips") && strings.Contains(vhost, "fips")
					dual := strings.Contains(vhost, ".dualstack.") || strings.HasSuffix(vhost, "."+pt.dualStackSuffix)
					if ep.Partition != p.Partition || ep.SigningRegion != wantRegion || ep.FIPS != fips || ep.DualStack != dual {
						failed++
						t.Errorf("%s %s %s %s: %s parses as partition %s, signing region %s, FIPS %v, dual-stack %v", p.Partition, key, region, tags, vhost, ep.Partition, ep.SigningRegion, ep.FIPS, ep.DualStack)
					}
				}
				if failed > 50 {
					t.Fatal("too many failures")
				}
			}
		}
	}
	if checked < 5000 {
		t.Errorf("checked only %d hostnames", checked)
	}
	t.Logf("checked %d hostnames from %s", checked, dir)
}

func partitionByID(id string) *partition {
	for i := range partitions {
		if partitions[i].id == id {
			return &partitions[i]
		}
	}
	return &partition{}
}
