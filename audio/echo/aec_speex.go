package echo

/*
#cgo LDFLAGS: -lspeexdsp
#include <stdlib.h>
#include <speex/speex_echo.h>
#include <speex/speex_preprocess.h>

// parley_aec is one echo canceller's C state; nothing in it is shared with
// another instance.
typedef struct {
	SpeexEchoState *echo;
	SpeexPreprocessState *pre; // NULL without residual suppression
} parley_aec;

// parley_aec_new builds the echo state and, when suppress is non-zero, a
// preprocessor bound to it for residual echo suppression. Returns NULL when
// speexdsp cannot allocate.
static parley_aec *parley_aec_new(int frame, int tail, int rate, int suppress,
                                  int suppress_db, int active_db, int denoise) {
	parley_aec *a = calloc(1, sizeof(parley_aec));
	if (a == NULL) {
		return NULL;
	}
	a->echo = speex_echo_state_init(frame, tail);
	if (a->echo == NULL) {
		free(a);
		return NULL;
	}
	speex_echo_ctl(a->echo, SPEEX_ECHO_SET_SAMPLING_RATE, &rate);
	if (!suppress) {
		return a;
	}
	a->pre = speex_preprocess_state_init(frame, rate);
	if (a->pre == NULL) {
		speex_echo_state_destroy(a->echo);
		free(a);
		return NULL;
	}
	speex_preprocess_ctl(a->pre, SPEEX_PREPROCESS_SET_ECHO_STATE, a->echo);
	speex_preprocess_ctl(a->pre, SPEEX_PREPROCESS_SET_ECHO_SUPPRESS, &suppress_db);
	speex_preprocess_ctl(a->pre, SPEEX_PREPROCESS_SET_ECHO_SUPPRESS_ACTIVE, &active_db);
	// The preprocessor applies no gain at all with its denoiser off, residual
	// echo suppression included; without denoise, a 0 dB noise floor keeps
	// the denoiser from touching anything but echo.
	int on = 1, no_noise_suppress = 0;
	speex_preprocess_ctl(a->pre, SPEEX_PREPROCESS_SET_DENOISE, &on);
	if (!denoise) {
		speex_preprocess_ctl(a->pre, SPEEX_PREPROCESS_SET_NOISE_SUPPRESS, &no_noise_suppress);
	}
	return a;
}

// parley_aec_run cancels the echo of play in rec into out (all one frame),
// then suppresses what remains of it in place.
static void parley_aec_run(parley_aec *a, const spx_int16_t *rec, const spx_int16_t *play, spx_int16_t *out) {
	speex_echo_cancellation(a->echo, rec, play, out);
	if (a->pre != NULL) {
		speex_preprocess_run(a->pre, out);
	}
}

static void parley_aec_reset(parley_aec *a) {
	speex_echo_state_reset(a->echo);
}

static void parley_aec_free(parley_aec *a) {
	if (a == NULL) {
		return;
	}
	if (a->pre != NULL) {
		speex_preprocess_state_destroy(a->pre);
	}
	speex_echo_state_destroy(a->echo);
	free(a);
}
*/
import "C"

import "unsafe"

// speexAEC owns one parley_aec; its methods are not safe for concurrent use
// (EchoCanceller serialises them).
type speexAEC struct {
	p *C.parley_aec
}

// speexParams are the integer settings handed to speexdsp.
type speexParams struct {
	frame, tail, rate    int
	suppress, denoise    bool
	suppressDB, activeDB int
}

func newSpeexAEC(sp speexParams) *speexAEC {
	p := C.parley_aec_new(C.int(sp.frame), C.int(sp.tail), C.int(sp.rate), cbool(sp.suppress),
		C.int(sp.suppressDB), C.int(sp.activeDB), cbool(sp.denoise))
	if p == nil {
		return nil
	}
	return &speexAEC{p: p}
}

func cbool(b bool) C.int {
	if b {
		return 1
	}
	return 0
}

// run processes one frame; the slices are Go memory without pointers, so
// passing them for the duration of the call is allowed by the cgo rules.
func (s *speexAEC) run(rec, play, out []int16) {
	C.parley_aec_run(s.p, (*C.spx_int16_t)(unsafe.Pointer(&rec[0])),
		(*C.spx_int16_t)(unsafe.Pointer(&play[0])), (*C.spx_int16_t)(unsafe.Pointer(&out[0])))
}

func (s *speexAEC) reset() { C.parley_aec_reset(s.p) }

func (s *speexAEC) free() {
	C.parley_aec_free(s.p)
	s.p = nil
}
