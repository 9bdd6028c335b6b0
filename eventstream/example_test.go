package eventstream_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"

	"github.com/alter-mcp/alter-mcp/eventstream"
)

// A Bedrock InvokeModelWithResponseStream answer is a stream of "chunk"
// events; an exception can arrive mid-stream, after HTTP said 200.
func Example() {
	body := exampleStream() // in real use: resp.Body

	d := eventstream.NewDecoder(body)
	for {
		m, err := d.Decode()
		if err == io.EOF {
			break
		}
		if err != nil {
			log.Fatal(err) // a corrupt or truncated stream
		}
		if err := m.Err(); err != nil {
			var ex *eventstream.ExceptionError
			if errors.As(err, &ex) {
				fmt.Println("exception:", ex.Type, "-", ex.Message)
			}
			break
		}
		if _, name := m.Kind(); name == "chunk" {
			var chunk struct{ Bytes []byte }
			if err := json.Unmarshal(m.Payload, &chunk); err != nil {
				log.Fatal(err)
			}
			fmt.Printf("chunk: %s\n", chunk.Bytes)
		}
	}
	// Output:
	// chunk: {"type":"content_block_delta","delta":{"text":"Hello"}}
	// chunk: {"type":"content_block_delta","delta":{"text":" world"}}
	// exception: throttlingException - Too many tokens, please wait before trying again.
}

func exampleStream() io.Reader {
	var b []byte
	for _, text := range []string{"Hello", " world"} {
		payload, _ := json.Marshal(map[string][]byte{
			"bytes": fmt.Appendf(nil, `{"type":"content_block_delta","delta":{"text":%q}}`, text),
		})
		b, _ = eventstream.AppendMessage(b, eventstream.Message{
			Headers: eventstream.Headers{
				{Name: eventstream.HeaderMessageType, Value: eventstream.String(eventstream.MessageTypeEvent)},
				{Name: eventstream.HeaderEventType, Value: eventstream.String("chunk")},
				{Name: eventstream.HeaderContentType, Value: eventstream.String("application/json")},
			},
			Payload: payload,
		})
	}
	b, _ = eventstream.AppendMessage(b, eventstream.Message{
		Headers: eventstream.Headers{
			{Name: eventstream.HeaderMessageType, Value: eventstream.String(eventstream.MessageTypeException)},
			{Name: eventstream.HeaderExceptionType, Value: eventstream.String("throttlingException")},
			{Name: eventstream.HeaderContentType, Value: eventstream.String("application/json")},
		},
		Payload: []byte(`{"message":"Too many tokens, please wait before trying again."}`),
	})
	return bytes.NewReader(b)
}

func ExampleAppendMessage() {
	frame, err := eventstream.AppendMessage(nil, eventstream.Message{
		Headers: eventstream.Headers{
			{Name: ":message-type", Value: eventstream.String("event")},
			{Name: ":event-type", Value: eventstream.String("Stats")},
			{Name: "bytes-scanned", Value: eventstream.Int64(1 << 20)},
		},
		Payload: []byte("<Stats/>"),
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d bytes: total length %x, headers length %x\n", len(frame), frame[0:4], frame[4:8])

	m, err := eventstream.NewDecoder(bytes.NewReader(frame)).Decode()
	if err != nil {
		log.Fatal(err)
	}
	n, _ := m.Headers.Get("bytes-scanned").Int()
	fmt.Println(m.Headers.Get(":event-type"), n, string(m.Payload))
	// Output:
	// 89 bytes: total length 00000059, headers length 00000041
	// Stats 1048576 <Stats/>
}

// Checksums catch corruption; errors.Is tells the kinds apart.
func ExampleDecoder_Decode_errors() {
	frame, _ := eventstream.AppendMessage(nil, eventstream.Message{Payload: []byte("hello")})

	corrupt := bytes.Clone(frame)
	corrupt[14] ^= 0x20 // flip a bit of the payload
	_, err := eventstream.NewDecoder(bytes.NewReader(corrupt)).Decode()
	fmt.Println(errors.Is(err, eventstream.ErrMessageCRC), err)

	_, err = eventstream.NewDecoder(bytes.NewReader(frame[:10])).Decode()
	fmt.Println(errors.Is(err, io.ErrUnexpectedEOF), err)
	// Output:
	// true eventstream: frame at byte 0: message checksum is 570c3496 but the 21-byte frame hashes to 6f417276
	// true eventstream: frame at byte 0: stream ends after 10 of the 12 prelude bytes
}

func ExampleEncoder() {
	var w bytes.Buffer
	e := eventstream.NewEncoder(&w)
	for _, rec := range []string{"a,1\n", "b,2\n"} {
		err := e.Encode(eventstream.Message{
			Headers: eventstream.Headers{
				{Name: ":message-type", Value: eventstream.String("event")},
				{Name: ":event-type", Value: eventstream.String("Records")},
			},
			Payload: []byte(rec),
		})
		if err != nil {
			log.Fatal(err)
		}
	}
	fmt.Println(w.Len(), "bytes in two frames")
	// Output:
	// 128 bytes in two frames
}
