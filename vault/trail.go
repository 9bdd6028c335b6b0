package vault

import (
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/alter-mcp/alter-mcp/audit"
	"github.com/alter-mcp/alter-mcp/internal/text"
	"github.com/alter-mcp/alter-mcp/urlparse"
)

// trailTool names, in the audit, the calls that read a trail from S3.
const trailTool = "audit.reconcile"

// CloudTrailFiles lists the CloudTrail log files under location
// (s3://BUCKET/PREFIX), as audit.TrailFileWanted selects them, for
// audit.Reconciler.ReadTrailFiles. The listing and each file's read are
// calls of their own through Request with grant: checked against its
// policy (it needs s3:ListBucket and s3:GetObject on the trail's bucket)
// and audited. region is the bucket's; "" asks S3 (us-east-1 first, then
// the region its answer names).
func (v *Vault) CloudTrailFiles(ctx context.Context, grant, location, region string, since time.Time) ([]audit.TrailFile, error) {
	rest, ok := strings.CutPrefix(location, "s3://")
	bucket, prefix, _ := strings.Cut(rest, "/")
	if !ok || bucket == "" {
		return nil, fmt.Errorf("%w: %q is not s3://BUCKET/PREFIX", ErrInvalid, text.Clip(location, 200))
	}
	if region == "" {
		region = "us-east-1"
	}
	var files []audit.TrailFile
	token := ""
	for moved := false; ; {
		q := map[string]string{"list-type": "2", "prefix": prefix}
		if token != "" {
			q["continuation-token"] = token
		}
		resp, err := v.Request(ctx, Call{URL: urlparse.S3URL(region, bucket, "", urlparse.EncodeQuery(q)), Grant: grant,
			Tool: trailTool, Reason: "audit reconcile: list the CloudTrail log files of " + text.Clip(location, 200)})
		if err != nil {
			return nil, err
		}
		body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
		resp.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("list %s: %w", location, err)
		}
		if at := resp.Header.Get("X-Amz-Bucket-Region"); resp.StatusCode != http.StatusOK && at != "" && at != region && !moved {
			region, moved = at, true // the bucket is elsewhere: ask there, once
			continue
		}
		if resp.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("list %s: S3 answered %d: %s", location, resp.StatusCode, text.Clip(string(body), 300))
		}
		var page struct {
			Contents []struct {
				Key string `xml:"Key"`
			} `xml:"Contents"`
			IsTruncated           bool   `xml:"IsTruncated"`
			NextContinuationToken string `xml:"NextContinuationToken"`
		}
		if err := xml.Unmarshal(body, &page); err != nil {
			return nil, fmt.Errorf("list %s: the answer is not ListObjectsV2's: %w", location, err)
		}
		for _, c := range page.Contents {
			if audit.TrailFileWanted(c.Key, since) {
				files = append(files, v.trailFile(grant, region, bucket, c.Key))
			}
		}
		if !page.IsTruncated || page.NextContinuationToken == "" {
			return files, nil
		}
		token = page.NextContinuationToken
	}
}

// trailFile opens one log file of a trail's bucket when it is read.
func (v *Vault) trailFile(grant, region, bucket, key string) audit.TrailFile {
	name := "s3://" + bucket + "/" + key
	return audit.TrailFile{Name: name, Open: func(ctx context.Context) (io.ReadCloser, error) {
		resp, err := v.Request(ctx, Call{URL: urlparse.S3URL(region, bucket, key, ""), Grant: grant,
			Tool: trailTool, Reason: "audit reconcile: read a CloudTrail log file"})
		if err != nil {
			return nil, err
		}
		if resp.StatusCode != http.StatusOK {
			body, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
			resp.Body.Close()
			return nil, fmt.Errorf("read %s: S3 answered %d: %s", name, resp.StatusCode, text.Clip(string(body), 300))
		}
		return resp.Body, nil
	}}
}
