package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
)

// rawConn is one kept-alive HTTP/1.1 connection, its requests written and
// its answers read by hand. The load generator shares the server's two
// cores: net/http's client (a transport with two goroutines a connection
// that hand each request over, headers kept in maps) cost about 65 µs of
// CPU a call here, a third of the machine at 10,000 calls a second, and
// what it took the server did not get. This one reads what the server
// sends, every byte, and no more: a status, the headers that frame the
// body or that the caller asks for, and the body.
type rawConn struct {
	addr string // host:port, dialled on first use and after the server closes
	c    net.Conn
	br   *bufio.Reader
	req  []byte // the request being written, its storage reused
	body []byte // the last answer's body, its storage reused
}

// rawAnswer is what rawConn.do read: the status, the Content-Type and
// Mcp-Session-Id headers, and the body (valid until the next do).
type rawAnswer struct {
	status               int
	contentType, session string
	body                 []byte
}

// do sends head (the request line and headers, each ending in "\r\n",
// without Content-Length) and body, and reads the answer. A connection the
// server closed between two requests is dialled again once.
func (r *rawConn) do(head, body []byte) (rawAnswer, error) {
	r.req = append(r.req[:0], head...)
	if body != nil {
		r.req = append(r.req, "Content-Length: "...)
		r.req = strconv.AppendInt(r.req, int64(len(body)), 10)
		r.req = append(r.req, "\r\n"...)
	}
	r.req = append(r.req, "\r\n"...)
	r.req = append(r.req, body...)
	for attempt := 0; ; attempt++ {
		fresh := r.c == nil
		if fresh {
			c, err := net.Dial("tcp", r.addr)
			if err != nil {
				return rawAnswer{}, err
			}
			r.c, r.br = c, bufio.NewReaderSize(c, 16<<10)
		}
		_, err := r.c.Write(r.req)
		var a rawAnswer
		if err == nil {
			a, err = r.read()
		}
		if err == nil {
			return a, nil
		}
		r.c.Close()
		r.c = nil
		if fresh || attempt > 0 {
			return rawAnswer{}, err
		}
	}
}

// read reads one answer: the status line, the headers, and a body framed
// by Content-Length or chunked.
func (r *rawConn) read() (rawAnswer, error) {
	var a rawAnswer
	line, err := r.line()
	if err != nil {
		return a, err
	}
	// "HTTP/1.1 200 OK"
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.1 ")) {
		return a, fmt.Errorf("not an HTTP/1.1 status line: %q", clip(line))
	}
	if a.status, err = strconv.Atoi(string(line[9:12])); err != nil {
		return a, fmt.Errorf("status line %q: %w", clip(line), err)
	}
	length, chunked, closing := -1, false, false
	for {
		line, err := r.line()
		if err != nil {
			return a, err
		}
		if len(line) == 0 {
			break
		}
		name, value, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			return a, fmt.Errorf("header line %q", clip(line))
		}
		value = bytes.TrimSpace(value)
		switch {
		case bytes.EqualFold(name, []byte("Content-Length")):
			if length, err = strconv.Atoi(string(value)); err != nil || length < 0 {
				return a, fmt.Errorf("Content-Length %q", value)
			}
		case bytes.EqualFold(name, []byte("Transfer-Encoding")):
			chunked = bytes.EqualFold(value, []byte("chunked"))
		case bytes.EqualFold(name, []byte("Content-Type")):
			a.contentType = string(value)
		case bytes.EqualFold(name, []byte("Mcp-Session-Id")):
			a.session = string(value)
		case bytes.EqualFold(name, []byte("Connection")):
			closing = bytes.EqualFold(value, []byte("close"))
		}
	}
	r.body = r.body[:0]
	switch {
	case chunked:
		err = r.chunks()
	case length >= 0:
		r.body = grow(r.body, length)
		_, err = io.ReadFull(r.br, r.body)
	default:
		return a, errors.New("an answer framed by neither Content-Length nor chunks")
	}
	if err != nil {
		return a, err
	}
	a.body = r.body
	if closing {
		r.c.Close()
		r.c = nil
	}
	return a, nil
}

// chunks reads a chunked body into r.body, and the empty trailer.
func (r *rawConn) chunks() error {
	for {
		line, err := r.line()
		if err != nil {
			return err
		}
		size, _, _ := bytes.Cut(line, []byte(";"))
		n, err := strconv.ParseInt(string(size), 16, 32)
		if err != nil || n < 0 {
			return fmt.Errorf("chunk size %q", clip(line))
		}
		if n == 0 {
			for { // trailers, up to the empty line
				if line, err = r.line(); err != nil || len(line) == 0 {
					return err
				}
			}
		}
		at := len(r.body)
		r.body = grow(r.body, at+int(n))
		if _, err := io.ReadFull(r.br, r.body[at:]); err != nil {
			return err
		}
		if line, err = r.line(); err != nil || len(line) != 0 {
			return fmt.Errorf("chunk not followed by CRLF: %v", err)
		}
	}
}

// line reads one line without its "\r\n"; valid until the next read.
func (r *rawConn) line() ([]byte, error) {
	line, err := r.br.ReadSlice('\n')
	if err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(line[:len(line)-1], []byte("\r")), nil
}

// grow returns b with length n, keeping its contents.
func grow(b []byte, n int) []byte {
	if n <= cap(b) {
		return b[:n]
	}
	return append(b[:cap(b)], make([]byte, n-cap(b))...)
}

func (r *rawConn) Close() {
	if r.c != nil {
		r.c.Close()
		r.c = nil
	}
}
