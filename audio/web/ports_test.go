package web_test

import (
	"parley/audio"
	"parley/audio/web"
	"parley/pipeline"
)

// The page stands in for a microphone and a speaker behind the interfaces
// the app already uses; these fail to compile if the shapes drift apart.
var (
	_ audio.Source      = (*web.Mic)(nil)
	_ pipeline.Source   = (*web.Mic)(nil)
	_ pipeline.Playback = (*web.Playback)(nil)
)
