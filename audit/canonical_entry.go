package audit

import (
	"slices"
	"strconv"
	"time"
	"unicode/utf8"
)

// appendEntry appends the canonical JSON of e to dst: what
// canonicalizeValid makes of json.Marshal(e), written directly, which on
// every call's path saves encoding/json's reflection and the second pass
// (TestCanonicalEntryIsMarshalCanonicalized and FuzzCanonicalEntry hold
// the two to the same bytes). It also returns the offset where a member
// named "seq" would go, as canonicalizeValid does. ok is false for an entry
// the general path must write, to say the same thing in the same words: a
// string that is not UTF-8 (encoding/json would write U+FFFD for each bad
// byte), a time outside the years 0 to 9999 (json.Marshal refuses it), a
// context that is not canonical JSON (Canonicalize sorts it or refuses it).
//
// The members are written in canonical order, by name: the names are ASCII,
// where that order is byte order.
func appendEntry(dst []byte, e *Entry) (out []byte, seqAt int, ok bool) {
	w := entryWriter{b: dst, start: len(dst), ok: true}
	w.b = append(w.b, '{')
	w.str("access_key_id", e.AccessKeyID)
	w.str("action", e.Action)
	w.str("amz_id_2", e.AmzID2)
	if a := e.Approval; a != nil {
		w.object("approval", func() {
			w.time("at", a.At, true)
			w.strAlways("by", a.By)
			w.strAlways("decision", a.Decision)
			w.str("id", a.ID)
			w.strAlways("via", a.Via)
		})
	}
	w.int("attempts", int64(e.Attempts), true)
	w.str("caller", e.Caller)
	w.str("client", e.Client)
	if len(e.Context) > 0 {
		canon, err := Canonicalize(e.Context)
		if err != nil {
			return dst, 0, false
		}
		w.name("context")
		w.b = append(w.b, canon...)
	}
	w.strAlways("decision", e.Decision)
	w.int("duration_ms", e.DurationMS, false)
	w.str("endpoint", e.Endpoint)
	w.str("error_code", e.ErrorCode)
	w.str("error_message", e.ErrorMessage)
	w.str("event_source", e.EventSource)
	w.time("expires", e.Expires, true)
	w.str("file", e.File)
	w.str("grant_id", e.GrantID)
	w.str("grant_name", e.GrantName)
	w.str("hash", e.Hash)
	w.strAlways("id", e.ID)
	if len(e.Inputs) > 0 {
		keys := make([]string, 0, len(e.Inputs))
		for k := range e.Inputs {
			keys = append(keys, k)
		}
		slices.SortFunc(keys, func(a, b string) int { return compareUTF16([]byte(a), []byte(b)) })
		w.object("inputs", func() {
			for _, k := range keys {
				v := e.Inputs[k]
				if !utf8.ValidString(k) || !utf8.ValidString(v) {
					w.ok = false
					return
				}
				if w.n > 0 {
					w.b = append(w.b, ',')
				}
				w.n++
				w.b = appendString(append(appendString(w.b, k), ':'), v)
			}
		})
	}
	w.str("kind", e.Kind)
	w.str("method", e.Method)
	w.str("operation", e.Operation)
	w.str("outcome", e.Outcome)
	w.str("prev_hash", e.PrevHash)
	w.name("read_only")
	w.b = strconv.AppendBool(w.b, e.ReadOnly)
	w.str("reason", e.Reason)
	w.time("recorded_at", e.RecordedAt, true)
	w.str("region", e.Region)
	w.int("request_bytes", e.RequestBytes, false)
	w.str("request_id", e.RequestID)
	w.str("request_sha256", e.RequestSHA)
	w.int("response_bytes", e.ResponseBytes, false)
	w.str("rule", e.Rule)
	w.int("seq", e.Seq, true)
	seqAt = len(w.b) - w.start // the comma before the next member, or the closing brace
	w.str("service", e.Service)
	w.str("session_id", e.SessionID)
	w.str("span_id", e.SpanID)
	w.int("status", int64(e.Status), true)
	w.time("time", e.Time, false)
	w.str("token_client_id", e.TokenClientID)
	w.str("token_issuer", e.TokenIssuer)
	w.str("token_subject", e.TokenSubject)
	w.str("tool", e.Tool)
	w.str("trace_id", e.TraceID)
	w.str("url", e.URL)
	if wr := e.Writer; wr != nil {
		w.object("writer", func() {
			w.strAlways("host", wr.Host)
			w.strAlways("instance", wr.Instance)
			w.int("pid", int64(wr.PID), false)
		})
	}
	w.b = append(w.b, '}')
	if !w.ok {
		return dst, 0, false
	}
	if w.b[w.start+seqAt] == ',' {
		seqAt++ // the start of the member after it, as canonicalizeValid says
	}
	return w.b, seqAt, true
}

// entryWriter writes the members of one object: n is how many so far.
type entryWriter struct {
	b     []byte
	start int
	n     int
	ok    bool
}

// name writes a member's name, one of the ASCII names of Entry's fields,
// which need no escapes.
func (w *entryWriter) name(name string) {
	if w.n > 0 {
		w.b = append(w.b, ',')
	}
	w.n++
	w.b = append(append(append(w.b, '"'), name...), '"', ':')
}

// object writes a member whose value is the object members writes.
func (w *entryWriter) object(name string, members func()) {
	w.name(name)
	w.b = append(w.b, '{')
	n := w.n
	w.n = 0
	members()
	w.b = append(w.b, '}')
	w.n = n
}

// str writes a string member unless it is empty (omitempty).
func (w *entryWriter) str(name, s string) {
	if s != "" {
		w.strAlways(name, s)
	}
}

func (w *entryWriter) strAlways(name, s string) {
	if !utf8.ValidString(s) {
		w.ok = false
		return
	}
	w.name(name)
	w.b = appendString(w.b, s)
}

// int writes an integer member, unless omit and it is 0. The audit's
// numbers stay far below 2^53, where a double holds them exactly and
// canonical JSON writes them as they are; larger ones take the general path.
func (w *entryWriter) int(name string, n int64, omit bool) {
	switch {
	case n == 0 && omit:
		return
	case n > 1<<53 || n < -(1<<53):
		w.ok = false
		return
	}
	w.name(name)
	w.b = strconv.AppendInt(w.b, n, 10)
}

// time writes a time as time.Time's MarshalJSON does (RFC 3339 with
// nanoseconds), unless omit and it is the zero time (omitzero).
func (w *entryWriter) time(name string, t time.Time, omit bool) {
	if omit && t.IsZero() {
		return
	}
	if y := t.Year(); y < 0 || y > 9999 {
		w.ok = false
		return
	}
	if _, offset := t.Zone(); offset%60 != 0 {
		w.ok = false // RFC 3339 has no seconds in an offset: let MarshalJSON say so
		return
	}
	w.name(name)
	w.b = append(t.AppendFormat(append(w.b, '"'), time.RFC3339Nano), '"')
}
