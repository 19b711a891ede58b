// Package echo removes parley's own voice from the microphone, so the user
// can interrupt it on loudspeakers: speexdsp's echo canceller
// (EchoCanceller), the played signal as its reference (EchoReference, an
// audio.PlaybackTap), the two device clocks lined up (refStream), and a
// source that reads the microphone through all of it
// (EchoCancelledSource), whose TalkingOver is the double-talk rule.
package echo
