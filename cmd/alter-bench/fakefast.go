package main

import (
	"bufio"
	"bytes"
	"net"
	"strconv"
)

// fastListener answers the fake's common request, a GET or HEAD without a
// body that is not for bigKey (ListObjectsV2), itself: it shares the two
// cores with the server it measures, and net/http's server cost about 65 µs
// of CPU a request there. Every other request, and the rest of its
// connection, goes to net/http through Accept, the bytes already read
// included.
type fastListener struct {
	net.Listener
	f       *fakeS3
	handoff chan net.Conn
	done    chan struct{} // closed when the listener is closed
}

func newFastListener(l net.Listener, f *fakeS3) *fastListener {
	fl := &fastListener{Listener: l, f: f, handoff: make(chan net.Conn), done: make(chan struct{})}
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				close(fl.done)
				return
			}
			go fl.serve(c)
		}
	}()
	return fl
}

// Accept returns the connections the fast path handed over.
func (fl *fastListener) Accept() (net.Conn, error) {
	select {
	case c := <-fl.handoff:
		return c, nil
	case <-fl.done:
		return nil, net.ErrClosed
	}
}

// serve answers the requests of c it can, until one it cannot.
func (fl *fastListener) serve(c net.Conn) {
	br := bufio.NewReaderSize(c, 8<<10)
	out := make([]byte, 0, 1024)
	for {
		head, ok := peekHead(br)
		if !ok || !fl.fast(head) {
			select {
			case fl.handoff <- &bufferedConn{Conn: c, r: br}:
			case <-fl.done:
				c.Close()
			}
			return
		}
		br.Discard(len(head))
		id := fl.f.requests.Add(1)
		out = append(out[:0], "HTTP/1.1 200 OK\r\nX-Amz-Request-Id: bench"...)
		out = strconv.AppendInt(out, id, 10)
		out = append(out, "\r\nX-Amz-Bucket-Region: us-east-1\r\nContent-Type: application/xml\r\nContent-Length: "...)
		out = strconv.AppendInt(out, int64(len(listAnswer)), 10)
		out = append(out, "\r\n\r\n"...)
		if !bytes.HasPrefix(head, []byte("HEAD ")) {
			out = append(out, listAnswer...)
		}
		if _, err := c.Write(out); err != nil {
			c.Close()
			return
		}
	}
}

// fast reports whether the request whose head this is gets the canned
// ListObjectsV2: a GET or HEAD, not of bigKey, with no body.
func (fl *fastListener) fast(head []byte) bool {
	line, rest, _ := bytes.Cut(head, []byte("\r\n"))
	if !bytes.HasPrefix(line, []byte("GET ")) && !bytes.HasPrefix(line, []byte("HEAD ")) {
		return false
	}
	if bytes.Contains(line, []byte("/"+bigKey)) {
		return false
	}
	headers := bytes.ToLower(append([]byte("\n"), rest...)) // each header after a newline
	return !bytes.Contains(headers, []byte("\ncontent-length:")) && !bytes.Contains(headers, []byte("\ntransfer-encoding:"))
}

// peekHead returns the next request's line and headers, up to and with the
// empty line, without reading them; false if the connection ends first or
// the head is larger than the buffer. It waits only for bytes the head
// still lacks.
func peekHead(br *bufio.Reader) ([]byte, bool) {
	for want := 1; want <= br.Size(); {
		b, err := br.Peek(want) // waits until want bytes are buffered
		if err != nil {
			return nil, false
		}
		b, _ = br.Peek(br.Buffered())
		if i := bytes.Index(b, []byte("\r\n\r\n")); i >= 0 {
			return b[:i+4], true
		}
		want = len(b) + 1
	}
	return nil, false
}

// bufferedConn is a connection whose first bytes are in r.
type bufferedConn struct {
	net.Conn
	r *bufio.Reader
}

func (c *bufferedConn) Read(p []byte) (int, error) { return c.r.Read(p) }
