// Package eventstream decodes and encodes AWS event streams
// (application/vnd.amazon.eventstream): the framing of streamed responses
// such as Bedrock InvokeModelWithResponseStream and ConverseStream, S3
// SelectObjectContent, Transcribe and Kinesis SubscribeToShard.
//
// A stream is a sequence of frames, each a prelude (total length, headers
// length, CRC32), typed headers, an opaque payload and a CRC32 of the whole.
// A Decoder reads one Message at a time, verifies both checksums, holds at
// most one frame in memory and refuses oversized frames before allocating
// them; AppendMessage and Encoder write frames byte-identical to
// aws-sdk-go-v2's. Message.Kind and Message.Err interpret AWS's headers
// (:message-type, :event-type, :exception-type, ...) so that an exception
// sent mid-stream becomes a Go error.
//
// The package depends only on the standard library.
package eventstream
