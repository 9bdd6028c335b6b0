package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
)

// fakeS3 is the fast AWS endpoint of the setup: on loopback, it
// answers every request as ListObjectsV2 of a bucket with one object, with a
// request id and the bucket's region, and counts what reached it. Two
// exceptions serve the streaming row: a PUT is read to its end and thrown
// away (its bytes counted), and a GET of bigKey is an object of bigSize
// bytes, made as it is sent (Range honoured) and never held in memory.
type fakeS3 struct {
	URL      string
	requests atomic.Int64
	put, got atomic.Int64 // bytes of PUT bodies read, of bigKey sent
	bigSize  int64
	srv      *http.Server
}

const listAnswer = `<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>bench-bucket</Name><Prefix></Prefix>` +
	`<KeyCount>1</KeyCount><MaxKeys>100</MaxKeys><IsTruncated>false</IsTruncated>` +
	`<Contents><Key>reports/2024.csv</Key><LastModified>2024-05-01T12:30:45.000Z</LastModified>` +
	`<ETag>&quot;9b2cf535f27731c974343645a3985328&quot;</ETag><Size>1024</Size><StorageClass>STANDARD</StorageClass></Contents>` +
	`</ListBucketResult>`

// bigKey is the key of the generated object.
const bigKey = "stream/big.txt"

func startFakeS3(bigSize int64) (*fakeS3, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	f := &fakeS3{URL: "http://" + l.Addr().String(), bigSize: bigSize}
	f.srv = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, _ := io.Copy(io.Discard, r.Body)
		id := f.requests.Add(1)
		h := w.Header()
		h.Set("X-Amz-Request-Id", "bench"+strconv.FormatInt(id, 10))
		h.Set("X-Amz-Bucket-Region", "us-east-1")
		switch {
		case r.Method == http.MethodPut:
			f.put.Add(n)
			h.Set("ETag", `"bench"`)
			return
		case r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/"+bigKey):
			f.serveBig(w, r)
			return
		}
		h.Set("Content-Type", "application/xml")
		if r.Method == http.MethodHead {
			return
		}
		io.WriteString(w, listAnswer)
	})}
	go f.srv.Serve(newFastListener(l, f))
	return f, nil
}

// bigBlock repeats through the generated object: byte i is
// bigBlock[i%len(bigBlock)], plain text so that s3_get returns it as text.
var bigBlock = func() []byte {
	const chars = "0123456789abcdefghijklmnopqrstuvwxyz\n"
	b := make([]byte, 64<<10+7)
	for i := range b {
		b[i] = chars[i%len(chars)]
	}
	return b
}()

// serveBig sends [first, last] of the generated object: all of it, or the
// one range "bytes=first-last" or "bytes=first-" that s3_get asks for.
func (f *fakeS3) serveBig(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "text/plain")
	first, last := int64(0), f.bigSize-1
	status := http.StatusOK
	if spec, ok := strings.CutPrefix(r.Header.Get("Range"), "bytes="); ok {
		a, b, _ := strings.Cut(spec, "-")
		x, err1 := strconv.ParseInt(a, 10, 64)
		y, err2 := f.bigSize-1, error(nil) // "bytes=first-": to the end
		if b != "" {
			y, err2 = strconv.ParseInt(b, 10, 64)
		}
		if err1 != nil || err2 != nil || x > y || x >= f.bigSize {
			h.Set("Content-Range", "bytes */"+strconv.FormatInt(f.bigSize, 10))
			w.WriteHeader(http.StatusRequestedRangeNotSatisfiable)
			return
		}
		first, last, status = x, min(y, f.bigSize-1), http.StatusPartialContent
		h.Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", first, last, f.bigSize))
	}
	h.Set("Content-Length", strconv.FormatInt(last-first+1, 10))
	w.WriteHeader(status)
	L := int64(len(bigBlock))
	for off := first; off <= last; {
		i := off % L
		n := min(L-i, last+1-off)
		if _, err := w.Write(bigBlock[i : i+n]); err != nil {
			return
		}
		f.got.Add(n)
		off += n
	}
}

func (f *fakeS3) Close() { f.srv.Close() }

func (f *fakeS3) String() string { return fmt.Sprintf("fake S3 at %s", f.URL) }
