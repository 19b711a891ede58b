package models

import (
	"strings"
	"testing"
)

// The Whisper entries install what pipeline/asr.FindWhisper looks for: one
// <prefix>-tokens.txt with its int8 encoder and decoder, in a folder named
// after the entry (the name `parley models pull` and asr.whisper.model use).
func TestWhisperEntries(t *testing.T) {
	for _, name := range []string{"whisper-tiny.en", "whisper-base.en", "whisper-small", "whisper-large-v3-turbo"} {
		e, ok := Lookup(name)
		if !ok {
			t.Fatalf("%s not in the catalog", name)
		}
		if e.Kind != KindASR || e.Dir != name || len(e.Files) != 1 || e.Files[0].Archive == nil || e.Checksum() != ChecksumSHA256 {
			t.Fatalf("%s: %+v", name, e)
		}
		var tokens []string
		members := map[string]bool{}
		for _, m := range e.installed() {
			members[m.Name] = true
			if p, ok := strings.CutSuffix(m.Name, "-tokens.txt"); ok {
				tokens = append(tokens, p)
			}
		}
		if len(tokens) != 1 || !members[tokens[0]+"-encoder.int8.onnx"] || !members[tokens[0]+"-decoder.int8.onnx"] {
			t.Errorf("%s installs %v, want one <prefix>-tokens.txt with its int8 encoder and decoder", name, members)
		}
	}
}
