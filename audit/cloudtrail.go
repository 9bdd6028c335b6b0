package audit

import (
	"bufio"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"
)

// TrailEvent is what reconciliation reads of one CloudTrail record, in the
// documented log file format: a file is one JSON object {"Records": [...]}
// (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html).
// Fields it does not need (requestParameters, responseElements, resources)
// are skipped without being kept.
type TrailEvent struct {
	EventTime       time.Time     `json:"eventTime"`
	EventSource     string        `json:"eventSource"`
	EventName       string        `json:"eventName"`
	AWSRegion       string        `json:"awsRegion,omitempty"`
	SourceIPAddress string        `json:"sourceIPAddress,omitempty"`
	UserAgent       string        `json:"userAgent,omitempty"`
	RequestID       string        `json:"requestID,omitempty"`
	EventID         string        `json:"eventID,omitempty"`
	ErrorCode       string        `json:"errorCode,omitempty"`
	UserIdentity    TrailIdentity `json:"userIdentity"`
	// AdditionalEventData.AuthenticationMethod is "QueryString" for a
	// presigned S3 URL.
	AdditionalEventData struct {
		AuthenticationMethod string `json:"AuthenticationMethod,omitempty"`
	} `json:"additionalEventData,omitzero"`
}

// TrailIdentity is a record's userIdentity: who made the call.
type TrailIdentity struct {
	Type           string `json:"type,omitempty"` // IAMUser | AssumedRole | Root | AWSService ...
	PrincipalID    string `json:"principalId,omitempty"`
	ARN            string `json:"arn,omitempty"`
	AccountID      string `json:"accountId,omitempty"`
	AccessKeyID    string `json:"accessKeyId,omitempty"`
	SessionContext struct {
		SourceIdentity string `json:"sourceIdentity,omitempty"`
		SessionIssuer  struct {
			ARN string `json:"arn,omitempty"`
		} `json:"sessionIssuer,omitzero"`
	} `json:"sessionContext,omitzero"`
}

// sessionName is the role session name of an assumed-role ARN
// (arn:aws:sts::123456789012:assumed-role/ROLE/SESSION).
func (id TrailIdentity) sessionName() string {
	if !strings.Contains(id.ARN, ":assumed-role/") {
		return ""
	}
	return id.ARN[strings.LastIndexByte(id.ARN, '/')+1:]
}

// deliveredAt is the delivery time CloudTrail writes into a log file's name
// (ACCOUNT_CloudTrail_REGION_20270131T0905Z_UNIQUE.json.gz). Every event of
// the file happened before it. Compiled at its first use: a program that
// never reconciles does not pay for it at start.
var deliveredAt = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`_CloudTrail_[a-z0-9-]+_(\d{8}T\d{4}Z)_`) })

// TrailFile is a log file to read: its name (a path, an S3 key) and how to
// open it.
type TrailFile struct {
	Name string
	Open func(context.Context) (io.ReadCloser, error)
}

// TrailFileWanted reports whether a file of this name (a path or an S3
// key) is a log file to read: a .json.gz or .json file outside the digest
// and Insights folders, not delivered before since by the time in its name.
func TrailFileWanted(name string, since time.Time) bool {
	if strings.Contains(name, "/CloudTrail-Digest/") || strings.Contains(name, "/CloudTrail-Insight/") ||
		!strings.HasSuffix(name, ".json.gz") && !strings.HasSuffix(name, ".json") {
		return false
	}
	if m := deliveredAt().FindStringSubmatch(name); m != nil && !since.IsZero() {
		if t, err := time.Parse("20060102T1504Z", m[1]); err == nil && t.Before(since.Truncate(time.Minute)) {
			return false
		}
	}
	return true
}

// trailFiles lists the log files under root (a file or a folder tree as
// CloudTrail writes it), in name order, leaving out digest files and the
// files delivered before since.
func trailFiles(root string, since time.Time) ([]TrailFile, error) {
	st, err := os.Stat(root)
	if err != nil {
		return nil, err
	}
	open := func(path string) TrailFile {
		return TrailFile{Name: path, Open: func(context.Context) (io.ReadCloser, error) { return os.Open(path) }}
	}
	if !st.IsDir() {
		return []TrailFile{open(root)}, nil
	}
	var files []TrailFile
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); name == "CloudTrail-Digest" || name == "CloudTrail-Insight" {
				return fs.SkipDir
			}
			return nil
		}
		if TrailFileWanted(filepath.ToSlash(path), since) {
			files = append(files, open(path))
		}
		return nil
	})
	slices.SortFunc(files, func(a, b TrailFile) int { return strings.Compare(a.Name, b.Name) })
	return files, err
}

// readTrailFile streams the records of one log file (gzip or plain JSON)
// to fn, one at a time: a file is never held whole.
func readTrailFile(ctx context.Context, file TrailFile, fn func(*TrailEvent) error) error {
	path := file.Name
	f, err := file.Open(ctx)
	if err != nil {
		return err
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 64<<10)
	var r io.Reader = br
	if head, _ := br.Peek(2); len(head) == 2 && head[0] == 0x1f && head[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		defer zr.Close()
		r = zr
	}
	if err := ReadTrail(ctx, r, fn); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// ReadTrail streams the records of one CloudTrail log file's JSON
// ({"Records": [...]}) to fn, decoding one record at a time. Other members of the object are skipped; a file without Records
// (a digest file) yields nothing.
func ReadTrail(ctx context.Context, r io.Reader, fn func(*TrailEvent) error) error {
	dec := json.NewDecoder(r)
	if err := expectDelim(dec, '{'); err != nil {
		return err
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		if key, _ := tok.(string); key != "Records" {
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return err
			}
			continue
		}
		if err := expectDelim(dec, '['); err != nil {
			return fmt.Errorf("Records: %w", err)
		}
		for n := 0; dec.More(); n++ {
			if n%1024 == 0 && ctx.Err() != nil {
				return ctx.Err()
			}
			var ev TrailEvent
			if err := dec.Decode(&ev); err != nil {
				return fmt.Errorf("record %d: %w", n, err)
			}
			if err := fn(&ev); err != nil {
				return err
			}
		}
		if _, err := dec.Token(); err != nil {
			return err
		}
	}
	return nil
}

func expectDelim(dec *json.Decoder, want json.Delim) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if d, ok := tok.(json.Delim); !ok || d != want {
		return errors.New("not a CloudTrail log file: want " + want.String() + " at the start")
	}
	return nil
}
