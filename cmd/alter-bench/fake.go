package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync/atomic"
)

// fakeS3 is the fast AWS endpoint of the setup: on loopback, it
// answers every request as ListObjectsV2 of a bucket with one object, with a
// request id and the bucket's region, and counts what reached it.
type fakeS3 struct {
	URL      string
	requests atomic.Int64
	srv      *http.Server
}

const listAnswer = `<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>bench-bucket</Name><Prefix></Prefix>` +
	`<KeyCount>1</KeyCount><MaxKeys>100</MaxKeys><IsTruncated>false</IsTruncated>` +
	`<Contents><Key>reports/2024.csv</Key><LastModified>2024-05-01T12:30:45.000Z</LastModified>` +
	`<ETag>&quot;9b2cf535f27731c974343645a3985328&quot;</ETag><Size>1024</Size><StorageClass>STANDARD</StorageClass></Contents>` +
	`</ListBucketResult>`

func startFakeS3() (*fakeS3, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	f := &fakeS3{URL: "http://" + l.Addr().String()}
	f.srv = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		n := f.requests.Add(1)
		h := w.Header()
		h.Set("X-Amz-Request-Id", "bench"+strconv.FormatInt(n, 10))
		h.Set("X-Amz-Bucket-Region", "us-east-1")
		h.Set("Content-Type", "application/xml")
		if r.Method == http.MethodHead {
			return
		}
		io.WriteString(w, listAnswer)
	})}
	go f.srv.Serve(l)
	return f, nil
}

func (f *fakeS3) Close() { f.srv.Close() }

func (f *fakeS3) String() string { return fmt.Sprintf("fake S3 at %s", f.URL) }
