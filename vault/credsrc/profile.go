package credsrc

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"

	"github.com/alter-mcp/alter-mcp/sigv4"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/feature/ec2/imds"
)

// ErrNoProfileCredentials: the profile chain found no credentials.
var ErrNoProfileCredentials = errors.New("no credentials found")

// Profile resolves credentials from an AWS profile exactly as the AWS CLI
// does, through aws-sdk-go-v2/config: environment variables, the shared
// credentials and config files (AWS_SHARED_CREDENTIALS_FILE,
// AWS_CONFIG_FILE), SSO, credential_process, assume-role profiles
// (source_profile, external_id, mfa_serial, role_session_name,
// duration_seconds), web identity, then container and instance metadata.
// For the default profile the legacy boto config ([Credentials] in
// BOTO_CONFIG, /etc/boto.cfg or ~/.boto) is the last file source, before
// container and instance metadata, as in boto3. The SDK refreshes
// temporary credentials before they expire. Nothing is copied anywhere:
// credentials are resolved in the process that signs.
type Profile struct {
	// Name is the profile; "" or "default" is the default chain, in which
	// AWS_ACCESS_KEY_ID and AWS_PROFILE apply as they do for the CLI.
	Name string
	// Getenv reads BOTO_CONFIG and HOME for the boto files; nil: os.Getenv.
	// (The SDK itself reads the process environment.)
	Getenv func(string) string
	// ConfigFiles and CredentialsFiles, when set, replace the shared files
	// the SDK would read (for tests and for operators who keep them aside).
	ConfigFiles      []string
	CredentialsFiles []string

	mu       sync.Mutex
	provider aws.CredentialsProvider // nil until resolved
	source   string
}

// Retrieve returns the profile's current credentials.
func (p *Profile) Retrieve(ctx context.Context) (sigv4.Credentials, error) {
	// The chain is resolved on first use and again after a failure (an
	// expired SSO session the operator has since renewed), never latched.
	p.mu.Lock()
	if p.provider == nil {
		if err := p.resolve(ctx); err != nil {
			p.provider = nil
			p.mu.Unlock()
			return sigv4.Credentials{}, err
		}
	}
	provider := p.provider
	p.mu.Unlock()
	c, err := provider.Retrieve(ctx)
	if err != nil {
		return sigv4.Credentials{}, fmt.Errorf("profile %s: %w", p.label(), err)
	}
	out := sigv4.Credentials{AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey, SessionToken: c.SessionToken}
	if c.CanExpire {
		out.Expires = c.Expires
	}
	return out, nil
}

// Source says where the credentials came from ("SharedConfigCredentials:
// /home/me/.aws/credentials", "EnvConfigCredentials", "boto config
// /home/me/.boto", ...), once Retrieve has succeeded.
func (p *Profile) Source() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.source
}

func (p *Profile) label() string {
	if p.Name == "" {
		return "default"
	}
	return p.Name
}

func (p *Profile) isDefault() bool { return p.Name == "" || p.Name == "default" }

func (p *Profile) load(ctx context.Context, imdsState imds.ClientEnableState) (aws.Config, error) {
	opts := []func(*config.LoadOptions) error{config.WithEC2IMDSClientEnableState(imdsState)}
	if !p.isDefault() {
		opts = append(opts, config.WithSharedConfigProfile(p.Name))
	}
	if p.ConfigFiles != nil {
		opts = append(opts, config.WithSharedConfigFiles(p.ConfigFiles))
	}
	if p.CredentialsFiles != nil {
		opts = append(opts, config.WithSharedCredentialsFiles(p.CredentialsFiles))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return cfg, fmt.Errorf("profile %s: %w", p.label(), err)
	}
	if cfg.Credentials == nil {
		return cfg, fmt.Errorf("profile %s: %w", p.label(), ErrNoProfileCredentials)
	}
	return cfg, nil
}

// resolve picks the provider once. A named profile is the SDK's. The
// default chain is tried first without instance metadata; when it finds
// nothing, or only container credentials, the boto files come next, then
// the full chain.
func (p *Profile) resolve(ctx context.Context) error {
	if !p.isDefault() {
		cfg, err := p.load(ctx, imds.ClientDefaultEnableState)
		if err != nil {
			return err
		}
		p.provider = cfg.Credentials
		return p.probe(ctx)
	}
	cfg, err := p.load(ctx, imds.ClientDisabled)
	if err != nil {
		return err
	}
	c, err := cfg.Credentials.Retrieve(ctx)
	if err == nil && !strings.Contains(c.Source, "CredentialsEndpoint") {
		p.provider, p.source = cfg.Credentials, c.Source
		return nil
	}
	getenv := p.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	boto, file, ok, berr := ReadBoto(BotoFiles(getenv))
	if berr != nil {
		return fmt.Errorf("profile default: boto config: %w", berr)
	}
	if ok {
		p.provider = aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: boto.AccessKeyID, SecretAccessKey: boto.SecretAccessKey, Source: "boto config " + file}, nil
		})
		p.source = "boto config " + file
		return nil
	}
	if cfg, err = p.load(ctx, imds.ClientDefaultEnableState); err != nil {
		return err
	}
	p.provider = cfg.Credentials
	return p.probe(ctx)
}

func (p *Profile) probe(ctx context.Context) error {
	c, err := p.provider.Retrieve(ctx)
	if err != nil {
		return fmt.Errorf("profile %s: %w", p.label(), err)
	}
	p.source = c.Source
	return nil
}
