package tools

// What a model said: the text, reasoning, stop reason and token usage read
// out of the answer formats of the model providers (Anthropic, Amazon,
// Meta, Mistral, Cohere, OpenAI-style) and of Converse, whole or streamed.

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// answer gathers what a model said: its text, reasoning, stop reason and
// token usage, from one whole answer or from the events of a stream.
type answer struct {
	text, reasoning strings.Builder
	textCut         bool
	stop            string
	in, out, total  *int
	measured        bool // usage from Bedrock's own count, which wins
	latency         int64
	chunks          int
	other           []json.RawMessage
	raw             []json.RawMessage
	rawBytes        int
	rawCut          bool
}

func (a *answer) addText(s string) {
	if s == "" || a.textCut {
		return
	}
	if a.text.Len()+len(s) > maxAnswerText {
		a.textCut = true
		return
	}
	a.text.WriteString(s)
}

func (a *answer) addReasoning(s string) {
	if a.reasoning.Len()+len(s) <= maxAnswerText {
		a.reasoning.WriteString(s)
	}
}

func (a *answer) setStop(s string) {
	if s != "" {
		a.stop = s
	}
}

// setUsage records token counts; nil leaves a count as it is. Counts the
// model reports do not replace Bedrock's own.
func (a *answer) setUsage(in, out, total *int, measured bool) {
	if a.measured && !measured {
		return
	}
	a.measured = a.measured || measured
	if in != nil {
		a.in = in
	}
	if out != nil {
		a.out = out
	}
	if total != nil {
		a.total = total
	}
}

// fill puts the answer in r.
func (a *answer) fill(r *modelResult) {
	r.Text, r.Reasoning, r.StopReason, r.LatencyMS, r.Chunks, r.OtherContent = a.text.String(), a.reasoning.String(), a.stop, a.latency, a.chunks, a.other
	if a.in != nil || a.out != nil {
		u := &tokenUsage{}
		if a.in != nil {
			u.InputTokens = *a.in
		}
		if a.out != nil {
			u.OutputTokens = *a.out
		}
		u.TotalTokens = u.InputTokens + u.OutputTokens
		if a.total != nil {
			u.TotalTokens = *a.total
		}
		r.Usage = u
	}
	if a.textCut {
		r.Truncated = true
		r.Note = fmt.Sprintf("The text is longer than %d MiB; only its first part is shown.", maxAnswerText>>20)
	}
}

// usageFields are token counts as the providers and Converse name them.
type usageFields struct {
	InputTokens       *int `json:"input_tokens"`
	OutputTokens      *int `json:"output_tokens"`
	TotalTokens       *int `json:"total_tokens"`
	PromptTokens      *int `json:"prompt_tokens"`
	CompletionTokens  *int `json:"completion_tokens"`
	InputTokensCamel  *int `json:"inputTokens"`
	OutputTokensCamel *int `json:"outputTokens"`
	TotalTokensCamel  *int `json:"totalTokens"`
}

func (a *answer) usage(u *usageFields) {
	if u == nil {
		return
	}
	in := firstInt(u.InputTokens, u.PromptTokens, u.InputTokensCamel)
	out := firstInt(u.OutputTokens, u.CompletionTokens, u.OutputTokensCamel)
	a.setUsage(in, out, firstInt(u.TotalTokens, u.TotalTokensCamel), false)
}

func firstInt(ns ...*int) *int {
	for _, n := range ns {
		if n != nil {
			return n
		}
	}
	return nil
}

// nativeOutput holds what the model providers' own answer formats say, as
// one whole answer or one streamed chunk: Anthropic (messages and the older
// completions), Amazon Nova and Titan, Meta Llama, Mistral, Cohere, and the
// OpenAI-style choices of AI21, DeepSeek and others. A chunk matches one of
// them; the fields of the others stay empty.
type nativeOutput struct {
	// Anthropic messages: a whole answer, or the stream's events.
	Type    string `json:"type"`
	Content []struct {
		Text string `json:"text"`
	} `json:"content"`
	Delta *struct {
		Text       string `json:"text"`
		StopReason string `json:"stop_reason"`
	} `json:"delta"`
	Message *struct {
		Usage *usageFields `json:"usage"`
	} `json:"message"`
	Usage      *usageFields `json:"usage"`
	StopReason string       `json:"stop_reason"`
	// Anthropic completions.
	Completion string `json:"completion"`
	// Amazon Titan.
	OutputText                string `json:"outputText"`
	CompletionReason          string `json:"completionReason"`
	InputTextTokenCount       *int   `json:"inputTextTokenCount"`
	TotalOutputTextTokenCount *int   `json:"totalOutputTextTokenCount"`
	Results                   []struct {
		OutputText       string `json:"outputText"`
		CompletionReason string `json:"completionReason"`
		TokenCount       *int   `json:"tokenCount"`
	} `json:"results"`
	// Amazon Nova: a whole answer, or the stream's events.
	Output *struct {
		Message struct {
			Content []struct {
				Text string `json:"text"`
			} `json:"content"`
		} `json:"message"`
	} `json:"output"`
	StopReasonCamel   string `json:"stopReason"`
	ContentBlockDelta *struct {
		Delta struct {
			Text string `json:"text"`
		} `json:"delta"`
	} `json:"contentBlockDelta"`
	MessageStop *struct {
		StopReason string `json:"stopReason"`
	} `json:"messageStop"`
	Metadata *struct {
		Usage *usageFields `json:"usage"`
	} `json:"metadata"`
	// Meta Llama.
	Generation           string `json:"generation"`
	PromptTokenCount     *int   `json:"prompt_token_count"`
	GenerationTokenCount *int   `json:"generation_token_count"`
	// Mistral.
	Outputs []struct {
		Text       string `json:"text"`
		StopReason string `json:"stop_reason"`
	} `json:"outputs"`
	// OpenAI-style choices (AI21 Jamba, DeepSeek, Mistral chat, ...).
	Choices []struct {
		Delta *struct {
			Content string `json:"content"`
		} `json:"delta"`
		Message *struct {
			Content string `json:"content"`
		} `json:"message"`
		Text         string `json:"text"`
		FinishReason string `json:"finish_reason"`
		StopReason   string `json:"stop_reason"`
	} `json:"choices"`
	// Cohere.
	Text         string `json:"text"`
	FinishReason string `json:"finish_reason"`
	Generations  []struct {
		Text         string `json:"text"`
		FinishReason string `json:"finish_reason"`
	} `json:"generations"`
	// Bedrock's own count, on the last chunk of every stream.
	Metrics *struct {
		InputTokenCount   *int   `json:"inputTokenCount"`
		OutputTokenCount  *int   `json:"outputTokenCount"`
		InvocationLatency *int64 `json:"invocationLatency"`
	} `json:"amazon-bedrock-invocationMetrics"`
}

// native reads a model's native answer, or one chunk of it.
func (a *answer) native(b []byte) {
	var o nativeOutput
	if err := json.Unmarshal(b, &o); err != nil {
		// A field of another type than expected is skipped, and the
		// rest is read; anything else is not a JSON object.
		var te *json.UnmarshalTypeError
		if !errors.As(err, &te) {
			return
		}
	}
	if o.Delta != nil {
		a.addText(o.Delta.Text)
		a.setStop(o.Delta.StopReason)
	}
	for _, c := range o.Content {
		a.addText(c.Text)
	}
	a.addText(o.Completion)
	a.addText(o.OutputText)
	for _, r := range o.Results {
		a.addText(r.OutputText)
		a.setStop(r.CompletionReason)
		if r.TokenCount != nil {
			a.setUsage(nil, r.TokenCount, nil, false)
		}
	}
	if o.Output != nil {
		for _, c := range o.Output.Message.Content {
			a.addText(c.Text)
		}
	}
	if o.ContentBlockDelta != nil {
		a.addText(o.ContentBlockDelta.Delta.Text)
	}
	a.addText(o.Generation)
	for _, c := range o.Outputs {
		a.addText(c.Text)
		a.setStop(c.StopReason)
	}
	for _, c := range o.Choices {
		if c.Delta != nil {
			a.addText(c.Delta.Content)
		}
		if c.Message != nil {
			a.addText(c.Message.Content)
		}
		a.addText(c.Text)
		a.setStop(c.FinishReason)
		a.setStop(c.StopReason)
	}
	a.addText(o.Text)
	for _, g := range o.Generations {
		a.addText(g.Text)
		a.setStop(g.FinishReason)
	}
	for _, s := range []string{o.StopReason, o.StopReasonCamel, o.CompletionReason, o.FinishReason} {
		a.setStop(s)
	}
	if o.MessageStop != nil {
		a.setStop(o.MessageStop.StopReason)
	}
	a.usage(o.Usage)
	if o.Message != nil {
		a.usage(o.Message.Usage)
	}
	if o.Metadata != nil {
		a.usage(o.Metadata.Usage)
	}
	a.setUsage(firstInt(o.InputTextTokenCount, o.PromptTokenCount), firstInt(o.TotalOutputTextTokenCount, o.GenerationTokenCount), nil, false)
	if m := o.Metrics; m != nil {
		a.setUsage(m.InputTokenCount, m.OutputTokenCount, nil, true)
		if m.InvocationLatency != nil {
			a.latency = *m.InvocationLatency
		}
	}
}

// headerUsage reads Bedrock's token counts from the headers of an
// InvokeModel answer.
func (a *answer) headerUsage(h http.Header) {
	num := func(k string) *int {
		n, err := strconv.Atoi(h.Get(k))
		if err != nil {
			return nil
		}
		return &n
	}
	in, out := num("X-Amzn-Bedrock-Input-Token-Count"), num("X-Amzn-Bedrock-Output-Token-Count")
	if in != nil || out != nil {
		a.setUsage(in, out, nil, true)
	}
	if l := num("X-Amzn-Bedrock-Invocation-Latency"); l != nil {
		a.latency = int64(*l)
	}
}

// nativeEvent reads one event of InvokeModelWithResponseStream: a chunk
// holds, base64 in JSON, a piece of the model's native answer.
func (a *answer) nativeEvent(name string, payload []byte) error {
	if name != "chunk" {
		return nil
	}
	var ev struct {
		Bytes []byte `json:"bytes"`
	}
	if err := json.Unmarshal(payload, &ev); err != nil {
		return &badChunk{fmt.Sprintf("chunk %d is not JSON with base64 bytes: %v", a.chunks+1, err)}
	}
	a.chunks++
	before := a.text.Len()
	a.native(ev.Bytes)
	if a.text.Len() == before && a.text.Len() == 0 {
		a.keepRaw(ev.Bytes)
	}
	return nil
}

// keepRaw keeps a chunk whose text could not be read, to show it as it
// is when no chunk has readable text.
func (a *answer) keepRaw(b []byte) {
	if a.rawBytes+len(b) > maxRawChunks {
		a.rawCut = true
		return
	}
	a.rawBytes += len(b)
	if json.Valid(b) {
		a.raw = append(a.raw, json.RawMessage(append([]byte(nil), b...)))
		return
	}
	s, _ := marshal(string(b))
	a.raw = append(a.raw, s)
}

// converseEvent reads one event of ConverseStream. Its payload is the event
// itself ({"delta": {"text": ...}} for contentBlockDelta).
func (a *answer) converseEvent(name string, payload []byte) error {
	a.chunks++
	var err error
	switch name {
	case "contentBlockDelta":
		var e struct {
			Delta struct {
				Text             *string `json:"text"`
				ReasoningContent *struct {
					Text string `json:"text"`
				} `json:"reasoningContent"`
			} `json:"delta"`
		}
		if err = json.Unmarshal(payload, &e); err == nil {
			if e.Delta.Text != nil {
				a.addText(*e.Delta.Text)
			}
			if e.Delta.ReasoningContent != nil {
				a.addReasoning(e.Delta.ReasoningContent.Text)
			}
		}
	case "messageStop":
		var e struct {
			StopReason string `json:"stopReason"`
		}
		if err = json.Unmarshal(payload, &e); err == nil {
			a.setStop(e.StopReason)
		}
	case "metadata":
		var e struct {
			Usage   *usageFields `json:"usage"`
			Metrics *struct {
				LatencyMs int64 `json:"latencyMs"`
			} `json:"metrics"`
		}
		if err = json.Unmarshal(payload, &e); err == nil {
			a.usage(e.Usage)
			if e.Metrics != nil {
				a.latency = e.Metrics.LatencyMs
			}
		}
	}
	if err != nil {
		return &badChunk{fmt.Sprintf("event %d (%s) is not the JSON it should be: %v", a.chunks, name, err)}
	}
	return nil
}

// converseAnswer reads a whole Converse answer.
func (a *answer) converseAnswer(data []byte) error {
	var x struct {
		Output struct {
			Message struct {
				Content []json.RawMessage `json:"content"`
			} `json:"message"`
		} `json:"output"`
		StopReason string       `json:"stopReason"`
		Usage      *usageFields `json:"usage"`
		Metrics    *struct {
			LatencyMs int64 `json:"latencyMs"`
		} `json:"metrics"`
	}
	if err := json.Unmarshal(data, &x); err != nil {
		return err
	}
	for _, raw := range x.Output.Message.Content {
		var blk struct {
			Text             *string `json:"text"`
			ReasoningContent *struct {
				ReasoningText *struct {
					Text string `json:"text"`
				} `json:"reasoningText"`
			} `json:"reasoningContent"`
		}
		switch err := json.Unmarshal(raw, &blk); {
		case err == nil && blk.Text != nil:
			a.addText(*blk.Text)
		case err == nil && blk.ReasoningContent != nil && blk.ReasoningContent.ReasoningText != nil:
			a.addReasoning(blk.ReasoningContent.ReasoningText.Text)
		default:
			a.other = append(a.other, raw)
		}
	}
	a.setStop(x.StopReason)
	a.usage(x.Usage)
	if x.Metrics != nil {
		a.latency = x.Metrics.LatencyMs
	}
	return nil
}
