package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/alter-mcp/alter-mcp/sigv4"
	"github.com/alter-mcp/alter-mcp/urlparse"
	"github.com/spf13/cobra"
)

const signLong = `Sign one HTTP request with AWS Signature Version 4 and show every step: the
canonical request, the string to sign, the signature, the Authorization header,
every header to send and the final URL. Compare them with what AWS returns in a
SignatureDoesNotMatch error to find where a client and AWS disagree.

Credentials come from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and, for
temporary credentials, AWS_SESSION_TOKEN. The secret access key is never
printed. Nothing is sent: "--format curl" prints a command that sends the
signed request.

The region and the service's signing name come from the URL: an AWS hostname
such as s3.eu-west-1.amazonaws.com, bedrock-runtime.us-west-2.amazonaws.com
(signed as bedrock), a virtual-hosted S3 bucket, a VPC endpoint or a global
endpoint (iam.amazonaws.com signs for us-east-1). S3 Multi-Region Access
Points sign with SigV4a for region set *. A URL that is not an AWS endpoint is
refused with the reason. --region, --region-set and --service override what
the URL says; giving --service and a region signs for any URL, for endpoints
you configured yourself (LocalStack, a proxy, an emulator).`

const signExample = `  # An STS call, as a curl command that sends it (region and service from the URL)
  alter-mcp sign --format curl \
    'https://sts.us-east-1.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15'

  # A presigned S3 download link, valid for an hour
  alter-mcp sign --presign --expires 1h \
    https://my-bucket.s3.eu-west-1.amazonaws.com/report.csv

  # The AWS signing test suite's get-vanilla example: example.amazonaws.com is
  # not a real endpoint, so the region and service are given
  alter-mcp sign --region us-east-1 --service service \
    --time 2015-08-30T12:36:00Z https://example.amazonaws.com/

  # A JSON body read from stdin
  alter-mcp sign --format json \
    -H 'Content-Type: application/json' --data-file - \
    https://lambda.us-east-1.amazonaws.com/2015-03-31/functions/f/invocations < event.json`

type signFlags struct {
	method          string
	headers         []string
	data            string
	dataFile        string
	region          string
	regionSet       string
	service         string
	time            string
	presign         bool
	expires         time.Duration
	unsignedPayload bool
	normalizePath   bool
	format          string
}

// signOutput is what sign prints; its JSON form is part of the CLI's interface.
type signOutput struct {
	CanonicalRequest string            `json:"canonical_request"`
	StringToSign     string            `json:"string_to_sign"`
	Signature        string            `json:"signature"`
	Authorization    string            `json:"authorization"` // empty for a presigned URL
	Headers          map[string]string `json:"headers"`
	URL              string            `json:"url"`
	// The credential scope signed for: Region (SigV4) or RegionSet (SigV4a), and the signing name.
	Region    string `json:"region,omitempty"`
	RegionSet string `json:"region_set,omitempty"`
	Service   string `json:"service"`
}

// credentialScope is what a request is signed for.
type credentialScope struct{ region, regionSet, service string }

// signingScope takes the region (or region set) and signing name from the
// URL, through urlparse, with the flags overriding it. A URL that is not an
// AWS endpoint is refused unless the flags give both a region and a service:
// then the operator names an endpoint of their own (LocalStack, a proxy).
func (a *app) signingScope(rawURL string, f *signFlags) (credentialScope, error) {
	given := credentialScope{region: f.region, regionSet: f.regionSet, service: f.service}
	ep, err := urlparse.Parse(rawURL)
	if err != nil {
		if (given.region != "" || given.regionSet != "") && given.service != "" {
			a.log.Debug("URL is not a known AWS endpoint; signing with the given region and service", "reason", err)
			return given, nil
		}
		var missing []string
		if given.region == "" && given.regionSet == "" {
			missing = append(missing, "--region")
		}
		if given.service == "" {
			missing = append(missing, "--service")
		}
		return credentialScope{}, usagef("%v\nthe region and service are read only from AWS endpoint URLs; to sign for an endpoint of your own, give %s",
			err, strings.Join(missing, " and "))
	}
	got := credentialScope{region: ep.SigningRegion, regionSet: ep.RegionSet, service: ep.SigningName}
	if given.region != "" || given.regionSet != "" {
		if given.region != got.region || given.regionSet != got.regionSet {
			a.log.Warn("the region given differs from the URL's; AWS will likely answer SignatureDoesNotMatch or AuthorizationHeaderMalformed",
				"given", given.region+given.regionSet, "url_region", got.region+got.regionSet)
		}
		got.region, got.regionSet = given.region, given.regionSet
	}
	if given.service != "" {
		if given.service != got.service {
			a.log.Warn("the service given differs from the URL's signing name", "given", given.service, "url_service", got.service)
		}
		got.service = given.service
	}
	if got.service == "" || (got.region == "" && got.regionSet == "") {
		return credentialScope{}, usagef("cannot tell the signing region and service of %s; give --region and --service", ep.Host)
	}
	return got, nil
}

// requestBody is the request body and where it came from, which the curl format needs.
type requestBody struct {
	given bool
	data  []byte
	file  string // the file it was read from; empty for --data and stdin
}

func newSignCmd(a *app) *cobra.Command {
	var f signFlags
	cmd := &cobra.Command{
		Use:     "sign [flags] URL",
		Short:   "Sign a request and show how it was signed (for SignatureDoesNotMatch)",
		Long:    signLong,
		Example: signExample,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usagef("sign takes exactly one URL, got %d arguments", len(args))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.sign(cmd.Flags().Changed, args[0], &f)
		},
	}
	fl := cmd.Flags()
	fl.SortFlags = false
	fl.StringVar(&f.region, "region", "", "signing region, such as us-east-1 (default: from the URL)")
	fl.StringVar(&f.regionSet, "region-set", "", "sign with SigV4a for these regions (comma-separated, * for all) instead of --region (default: from the URL for Multi-Region Access Points)")
	fl.StringVar(&f.service, "service", "", "signing name, such as s3, sts or execute-api (default: from the URL)")
	fl.StringVarP(&f.method, "request", "X", "", "HTTP method (default GET, or POST when a body is given)")
	fl.StringArrayVarP(&f.headers, "header", "H", nil, "header to send and sign, as 'Name: value'; repeatable")
	fl.StringVarP(&f.data, "data", "d", "", "request body, used as written (no @file: see --data-file)")
	fl.StringVar(&f.dataFile, "data-file", "", "read the request body from a file; - reads stdin")
	fl.StringVar(&f.time, "time", "", "signing time in RFC 3339, such as 2015-08-30T12:36:00Z, for reproducible output (default now)")
	fl.BoolVar(&f.presign, "presign", false, "sign the URL's query string instead of adding an Authorization header")
	fl.DurationVar(&f.expires, "expires", 15*time.Minute, "how long a presigned URL stays valid, 1s to 168h")
	fl.BoolVar(&f.unsignedPayload, "unsigned-payload", false, "leave the body out of the signature (UNSIGNED-PAYLOAD; S3 accepts it)")
	fl.BoolVar(&f.normalizePath, "normalize-path", false, "remove . and .. segments and duplicate slashes from the signed path (never for S3)")
	fl.Var(newEnum(&f.format, "text", "text", "json", "curl"), "format", "output: text (readable), json, or curl (a command that sends the request)")
	return cmd
}

// sign builds the request the flags describe, signs it and prints it.
// changed reports whether a flag was given (on the command line or in the environment).
func (a *app) sign(changed func(string) bool, rawURL string, f *signFlags) error {
	// Usage mistakes first, before anything is read.
	if f.region != "" && f.regionSet != "" {
		return usagef("give --region (SigV4) or --region-set (SigV4a), not both")
	}
	if changed("data") && changed("data-file") {
		return usagef("give the body with --data or with --data-file, not both")
	}
	if changed("expires") && !f.presign {
		return usagef("--expires applies only with --presign")
	}
	var t time.Time
	if f.time != "" {
		var err error
		if t, err = time.Parse(time.RFC3339, f.time); err != nil {
			return usagef("--time %q is not RFC 3339; write it like 2015-08-30T12:36:00Z", f.time)
		}
	}
	header, host, contentLength, err := parseHeaders(f.headers)
	if err != nil {
		return err
	}
	method := f.method
	if method == "" {
		method = http.MethodGet
		if changed("data") || changed("data-file") {
			method = http.MethodPost
		}
	}
	// The request is only signed, never sent, so it needs no Body: the signer
	// gets the bytes in Options.Payload and the length in ContentLength.
	req, err := http.NewRequest(method, rawURL, nil)
	if err != nil {
		return usageError{err}
	}
	if req.URL.Host == "" || (req.URL.Scheme != "https" && req.URL.Scheme != "http") {
		return usagef("URL %q is not an absolute http(s) URL such as https://sts.amazonaws.com/", rawURL)
	}
	req.Header = header
	if host != "" {
		req.Host = host
	}
	scope, err := a.signingScope(rawURL, f)
	if err != nil {
		return err
	}

	creds, err := credentialsFromEnv(a.getenv)
	if err != nil {
		return err
	}
	b, err := a.readBody(f, changed)
	if err != nil {
		return err
	}
	switch {
	case b.given && contentLength >= 0 && contentLength != int64(len(b.data)):
		return usagef("Content-Length: %d does not match the %d-byte body", contentLength, len(b.data))
	case b.given:
		req.ContentLength = int64(len(b.data))
	case contentLength >= 0:
		req.ContentLength = contentLength
	}

	var trace sigv4.Trace
	opts := sigv4.Options{
		Region:        scope.region,
		RegionSet:     scope.regionSet,
		Service:       scope.service,
		Time:          t,
		NormalizePath: f.normalizePath,
		Trace:         &trace,
	}
	if b.given {
		opts.Payload = b.data
	}
	if f.unsignedPayload {
		opts.PayloadHash = sigv4.UnsignedPayload
	}

	a.log.Debug("signing request", "method", method, "url", req.URL.Redacted(),
		"region", scope.region, "region_set", scope.regionSet, "service", scope.service, "presign", f.presign, "credentials", creds)
	out := signOutput{Headers: map[string]string{}, Region: scope.region, RegionSet: scope.regionSet, Service: scope.service}
	var s sigv4.Signer
	if f.presign {
		u, signed, err := s.Presign(req, creds, opts, f.expires)
		if err != nil {
			return signError(err)
		}
		out.URL = u
		for k, vs := range req.Header {
			// Presign moves X-Amz-* headers into the query and returns the
			// signed rest; headers it does not sign (User-Agent, ...) still go.
			if !strings.HasPrefix(strings.ToLower(k), "x-amz-") {
				out.Headers[k] = strings.Join(vs, ",")
			}
		}
		for k, vs := range signed { // Host among them
			out.Headers[k] = strings.Join(vs, ",")
		}
	} else {
		if err := s.Sign(req, creds, opts); err != nil {
			return signError(err)
		}
		out.URL = req.URL.String()
		out.Authorization = req.Header.Get("Authorization")
		for k, vs := range req.Header {
			out.Headers[k] = strings.Join(vs, ",")
		}
		// Sign drops a default port from req.Host; net/http sends req.Host,
		// else the URL's host.
		out.Headers["Host"] = req.Host
		if req.Host == "" {
			out.Headers["Host"] = req.URL.Host
		}
	}
	out.CanonicalRequest = trace.CanonicalRequest
	out.StringToSign = trace.StringToSign
	out.Signature = trace.Signature
	if b.given || req.ContentLength > 0 {
		out.Headers["Content-Length"] = strconv.FormatInt(req.ContentLength, 10)
	}
	a.log.Debug("signed request", "signed_headers", trace.SignedHeaders)

	switch f.format {
	case "json":
		enc := json.NewEncoder(a.stdout)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	case "curl":
		return a.writeCurl(out, method, b)
	default:
		return writeSignText(a.stdout, out, f.presign)
	}
}

// signError makes the signer's complaints about input usage errors.
func signError(err error) error {
	if errors.Is(err, sigv4.ErrExpiry) {
		return usagef("--expires: %v", err)
	}
	return fmt.Errorf("sign: %w", err)
}

// credentialsFromEnv reads the standard AWS environment variables.
func credentialsFromEnv(getenv func(string) string) (sigv4.Credentials, error) {
	c := sigv4.Credentials{
		AccessKeyID:     getenv("AWS_ACCESS_KEY_ID"),
		SecretAccessKey: getenv("AWS_SECRET_ACCESS_KEY"),
		SessionToken:    getenv("AWS_SESSION_TOKEN"),
	}
	var missing []string
	if c.AccessKeyID == "" {
		missing = append(missing, "AWS_ACCESS_KEY_ID")
	}
	if c.SecretAccessKey == "" {
		missing = append(missing, "AWS_SECRET_ACCESS_KEY")
	}
	if len(missing) > 0 {
		return c, fmt.Errorf("no AWS credentials: set %s (and AWS_SESSION_TOKEN for temporary credentials)", strings.Join(missing, " and "))
	}
	return c, nil
}

func (a *app) readBody(f *signFlags, changed func(string) bool) (requestBody, error) {
	switch {
	case changed("data"):
		if strings.HasPrefix(f.data, "@") {
			a.log.Warn("--data is used as written, unlike curl's -d @file; read a file with --data-file", "data", f.data)
		}
		return requestBody{given: true, data: []byte(f.data)}, nil
	case changed("data-file") && f.dataFile == "-":
		data, err := io.ReadAll(a.stdin)
		if err != nil {
			return requestBody{}, fmt.Errorf("read the body from stdin: %w", err)
		}
		return requestBody{given: true, data: data}, nil
	case changed("data-file"):
		data, err := os.ReadFile(f.dataFile)
		if err != nil {
			return requestBody{}, fmt.Errorf("read --data-file: %w", err)
		}
		return requestBody{given: true, data: data, file: f.dataFile}, nil
	}
	return requestBody{}, nil
}

// parseHeaders turns 'Name: value' arguments into a header. Host and
// Content-Length are returned apart, because net/http sends them from
// req.Host and req.ContentLength; contentLength is -1 when not given.
func parseHeaders(args []string) (h http.Header, host string, contentLength int64, err error) {
	h = make(http.Header)
	contentLength = -1
	for _, arg := range args {
		name, value, ok := strings.Cut(arg, ":")
		name, value = strings.TrimSpace(name), strings.TrimSpace(value)
		if !ok || !isToken(name) {
			return nil, "", 0, usagef("header %q: write it as 'Name: value'", arg)
		}
		if strings.ContainsAny(value, "\r\n\x00") {
			return nil, "", 0, usagef("header %s: the value holds a line break or NUL", name)
		}
		switch http.CanonicalHeaderKey(name) {
		case "Host":
			host = value
		case "Content-Length":
			n, err := strconv.ParseInt(value, 10, 64)
			if err != nil || n < 0 {
				return nil, "", 0, usagef("header Content-Length: %q is not a length", value)
			}
			contentLength = n
		default:
			h.Add(name, value)
		}
	}
	return h, host, contentLength, nil
}

// isToken reports whether s is an HTTP header name (RFC 9110 token).
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0) {
			return false
		}
	}
	return true
}

func sortedHeaderNames(h map[string]string) []string {
	names := make([]string, 0, len(h))
	for k := range h {
		names = append(names, k)
	}
	slices.Sort(names)
	return names
}

func writeSignText(w io.Writer, out signOutput, presign bool) error {
	var sb strings.Builder
	section := func(title, text string) {
		sb.WriteString(title)
		sb.WriteByte('\n')
		sb.WriteString(strings.Repeat("-", len(title)))
		sb.WriteByte('\n')
		sb.WriteString(text)
		sb.WriteString("\n\n")
	}
	section("Canonical request", out.CanonicalRequest)
	section("String to sign", out.StringToSign)
	section("Signature", out.Signature)
	if !presign {
		section("Authorization", out.Authorization)
	}
	var hs strings.Builder
	for i, k := range sortedHeaderNames(out.Headers) {
		if i > 0 {
			hs.WriteByte('\n')
		}
		hs.WriteString(k + ": " + out.Headers[k])
	}
	section("Headers", hs.String())
	if presign {
		sb.WriteString("Presigned URL\n-------------\n" + out.URL + "\n")
	} else {
		sb.WriteString("URL\n---\n" + out.URL + "\n")
	}
	_, err := io.WriteString(w, sb.String())
	return err
}

// writeCurl prints a curl command line that sends exactly the signed request.
func (a *app) writeCurl(out signOutput, method string, b requestBody) error {
	// One option with its value per line, continued with backslashes.
	args := []string{"curl"}
	if strings.ContainsAny(out.URL, "[]{}") {
		args = append(args, "--globoff") // curl would read these as URL globs
	}
	if u, err := url.Parse(out.URL); err == nil && hasDotSegment(u.EscapedPath()) {
		args = append(args, "--path-as-is") // curl would squash them, changing the signed path
	}
	switch {
	case method == http.MethodHead && !b.given:
		args = append(args, "--head") // -X HEAD makes curl wait for a body
	case b.given && method != http.MethodPost, !b.given && method != http.MethodGet:
		args = append(args, "-X "+shellQuote(method))
	}
	for _, k := range sortedHeaderNames(out.Headers) {
		args = append(args, "-H "+shellQuote(k+": "+out.Headers[k]))
	}
	if b.given {
		if _, ok := out.Headers["Content-Type"]; !ok {
			// With a body curl adds a form Content-Type unless told not to.
			args = append(args, "-H 'Content-Type:'")
		}
		switch {
		case b.file != "":
			args = append(args, "--data-binary "+shellQuote("@"+b.file))
		case bytes.IndexByte(b.data, 0) >= 0:
			a.log.Warn("the body holds NUL bytes, which a command line cannot carry; pipe the same body into curl's stdin")
			args = append(args, "--data-binary @-")
		default:
			args = append(args, "--data-binary "+shellQuote(string(b.data)))
		}
	}
	args = append(args, shellQuote(out.URL))
	_, err := fmt.Fprintln(a.stdout, strings.Join(args, " \\\n  "))
	return err
}

func hasDotSegment(path string) bool {
	for _, seg := range strings.Split(path, "/") {
		if seg == "." || seg == ".." {
			return true
		}
	}
	return false
}

// shellQuote quotes s for a POSIX shell, leaving plain words as they are.
func shellQuote(s string) string {
	plain := s != ""
	for i := 0; i < len(s) && plain; i++ {
		c := s[i]
		plain = 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("@%+=:,./-_", c) >= 0
	}
	if plain {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
