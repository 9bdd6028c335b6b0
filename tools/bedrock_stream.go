package tools

// Reading Bedrock's event streams: decoded frame by frame as they arrive,
// with progress notifications; errors in the middle of a stream.
// bedrock_answer.go reads what each model family says.

import (
	"bufio"
	"context"
	"errors"
	"io"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/alter-mcp/alter-mcp/awserr"
	"github.com/alter-mcp/alter-mcp/eventstream"
	"github.com/alter-mcp/alter-mcp/vault"
)

// Bounds of what a streamed answer keeps.
const (
	// maxAnswerText bounds the text kept of one answer; a model's output
	// is far shorter, so this only stops a runaway stream.
	maxAnswerText = 8 << 20
	// maxRawChunks bounds the chunks kept, decoded, of a stream whose text
	// could not be read.
	maxRawChunks = 256 << 10
	// maxProgressText bounds the text a progress notification carries: the
	// end of a longer text.
	maxProgressText = 64 << 10
)

// stream reads an event stream answer to its end, handing every event to
// event and telling the client of the text so far. It returns the first
// exception or error AWS sent inside the stream (*eventstream.ExceptionError,
// *eventstream.ErrorMessage), a damaged frame (*eventstream.Error), or the
// reader's error. Cancelling ctx closes the stream from AWS at once.
func (b *bedrock) stream(ctx context.Context, req mcp.CallToolRequest, out *sentCall, a *answer, event func(name string, payload []byte) error) error {
	body := out.resp.Body
	// The transport also drops the connection when ctx ends; closing the
	// body here does not depend on it.
	stop := context.AfterFunc(ctx, func() { body.Close() })
	defer stop()
	p := newProgress(ctx, req, b.every)
	d := eventstream.NewDecoder(bufio.NewReaderSize(body, 32<<10))
	for {
		m, err := d.Decode()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := m.Err(); err != nil {
			return err
		}
		kind, name := m.Kind()
		if kind != eventstream.MessageTypeEvent {
			continue
		}
		before := a.text.Len()
		if err := event(name, m.Payload); err != nil {
			return err
		}
		if a.text.Len() != before {
			p.report(a.text.String())
		}
	}
}

// badChunk is an event whose payload is not what its type promises.
type badChunk struct{ reason string }

func (e *badChunk) Error() string { return e.reason }

// streamError is the result of a stream that failed: what went wrong, and
// what had arrived.
type streamError struct {
	errorBody
	PartialText string `json:"partial_text,omitempty"`
	Chunks      int    `json:"chunks,omitempty"`
}

// streamFailed is the tool error of a stream that ended with err.
func (b *bedrock) streamFailed(ctx context.Context, out *sentCall, a *answer, err error) *mcp.CallToolResult {
	out.resp.Body.Close()
	eb := errorBody{Sent: true, RequestID: awserr.RequestID(out.resp.Header)}
	var (
		exc *eventstream.ExceptionError
		em  *eventstream.ErrorMessage
		bad *eventstream.Error
		bc  *badChunk
	)
	switch {
	case ctx.Err() != nil:
		eb.Error = "canceled"
		eb.Message = "The call was canceled, and the stream from Bedrock closed; partial_text holds what had arrived."
	case errors.As(err, &exc):
		eb.Error, eb.ErrorCode = "aws_error", exc.Type
		eb.Message = first(vault.RedactText(exc.Message), "Bedrock sent "+exc.Type+" in the middle of the answer.")
		eb.Hint = first(bedrockHint(exc.Type, exc.Message), "Bedrock stopped the answer with this exception; partial_text holds what had arrived. Call again.")
	case errors.As(err, &em):
		eb.Error, eb.ErrorCode = "aws_error", em.Code
		eb.Message = first(vault.RedactText(em.Message), "Bedrock sent the error "+em.Code+" in the middle of the answer.")
		eb.Hint = first(bedrockHint(em.Code, em.Message), "Bedrock stopped the answer with this error; partial_text holds what had arrived. Call again.")
	case errors.As(err, &bad), errors.As(err, &bc):
		eb.Error = "bad_stream"
		eb.Message = "The answer stream from Bedrock is damaged (" + err.Error() + "); partial_text holds what arrived before. The model ran (and is billed); call again for a new answer."
	default:
		eb.Error = "network"
		eb.Message = "The answer stream broke off: " + err.Error() + ". partial_text holds what had arrived; call again for a new answer."
	}
	eb.AuditID = b.tb.auditID(context.WithoutCancel(ctx), out, eb.RequestID)
	res := result(streamError{errorBody: eb, PartialText: a.text.String(), Chunks: a.chunks})
	res.IsError = true
	return res
}
