package web

import "errors"

var (
	// ErrClosed indicates use of the server, its Mic or its Speaker after Close.
	ErrClosed = errors.New("web audio closed")
	// ErrNoBrowser indicates a sound dropped because no page was connected.
	ErrNoBrowser = errors.New("no browser connected")
	// ErrDisconnected indicates a sound dropped because the page went away
	// (closed, reloaded, replaced or silent past the timeout) before it ended.
	ErrDisconnected = errors.New("browser disconnected")
	// ErrStalled indicates a sound dropped because the page, still
	// connected, played nothing of it for the timeout (its audio stopped,
	// for example a suspended AudioContext).
	ErrStalled = errors.New("browser page stopped playing")
	// ErrFlushed indicates a sound dropped by Flush (barge-in).
	ErrFlushed = errors.New("playback flushed")
	// ErrInvalidAudio indicates samples at an impossible rate.
	ErrInvalidAudio = errors.New("invalid audio parameters")
	// ErrInvalidOptions indicates an option value outside its allowed range.
	ErrInvalidOptions = errors.New("invalid web audio options")
	// ErrProtocol indicates a message from the page that breaks the protocol
	// (for example a page from another parley version still open).
	ErrProtocol = errors.New("web audio protocol error")
)
