package tts

/*
#cgo LDFLAGS: -lespeak-ng
#include <stdlib.h>
#include <string.h>
#include <espeak-ng/speak_lib.h>
#include <espeak-ng/espeak_ng.h>

// parley_espeak_init starts espeak-ng for phonemisation only. The espeak_ng_*
// calls return errors instead of printing them and exiting (as
// espeak_Initialize does), and the synchronous output mode never opens an
// audio device (measured with strace: no PulseAudio connection).
static int parley_espeak_init(char *msg, size_t len) {
	espeak_ng_ERROR_CONTEXT ctx = NULL;
	espeak_ng_STATUS st;
	espeak_ng_InitializePath(NULL);
	st = espeak_ng_Initialize(&ctx);
	if (st == ENS_OK) st = espeak_ng_InitializeOutput(ENOUTPUT_MODE_SYNCHRONOUS, 0, NULL);
	if (st != ENS_OK) espeak_ng_GetStatusCodeMessage(st, msg, len);
	espeak_ng_ClearErrorContext(&ctx);
	return st == ENS_OK ? 0 : -1;
}

// parley_espeak_voice selects a voice by name ("en-us"), else by language
// properties ("en-gb" has no voice of that name in espeak-ng 1.51).
static int parley_espeak_voice(const char *name) {
	espeak_VOICE spec;
	if (espeak_SetVoiceByName(name) == EE_OK) return 0;
	memset(&spec, 0, sizeof spec);
	spec.languages = name;
	return espeak_SetVoiceByProperties(&spec) == EE_OK ? 0 : -1;
}

// parley_espeak_clause phonemises the clause starting at text+*offset as
// IPA and moves *offset to where espeak's pointer went, or to -1 at the end.
static const char *parley_espeak_clause(const char *text, int *offset) {
	const void *p = text + *offset;
	const char *ph = espeak_TextToPhonemes(&p, espeakCHARS_AUTO, espeakPHONEMES_IPA);
	*offset = p == NULL ? -1 : (int)((const char *)p - text);
	return ph;
}
*/
import "C"

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"unsafe"
)

// espeakProcess guards libespeak-ng. Why a process-wide lock: espeak-ng
// keeps all its state in C globals — one selected voice, one translator,
// one static phoneme buffer that espeak_TextToPhonemes returns — so it can
// serve one caller at a time per process, whatever Piper engines exist.
// The library is initialised once (a second espeak_ng_Initialize leaks and
// resets it); voice is the voice selected now, so engines with different
// voices switch it under the lock.
var espeakProcess struct {
	mu      sync.Mutex
	started bool
	err     error
	voice   string
}

// espeakStartLocked initialises espeak-ng once per process.
func espeakStartLocked() error {
	if espeakProcess.started {
		return espeakProcess.err
	}
	espeakProcess.started = true
	var msg [512]C.char
	if C.parley_espeak_init(&msg[0], C.size_t(len(msg))) != 0 {
		espeakProcess.err = fmt.Errorf("%w: start espeak-ng: %s (install espeak-ng-data)",
			ErrPhonemize, C.GoString(&msg[0]))
	}
	return espeakProcess.err
}

// espeakVoiceLocked selects voice unless it is selected already.
func espeakVoiceLocked(voice string) error {
	if espeakProcess.voice == voice {
		return nil
	}
	cs := C.CString(voice)
	defer C.free(unsafe.Pointer(cs))
	if C.parley_espeak_voice(cs) != 0 {
		espeakProcess.voice = ""
		return fmt.Errorf("espeak.voice = %q: no espeak-ng voice of that name or language: %w",
			voice, ErrUnknownVoice)
	}
	espeakProcess.voice = voice
	return nil
}

// checkESpeakVoice starts espeak-ng and selects voice, to fail at load
// rather than at the first sentence.
func checkESpeakVoice(voice string) error {
	espeakProcess.mu.Lock()
	defer espeakProcess.mu.Unlock()
	if err := espeakStartLocked(); err != nil {
		return err
	}
	return espeakVoiceLocked(voice)
}

// espeakClauses phonemises text with voice, clause by clause, recovering
// each clause's punctuation from where espeak's text pointer went.
func espeakClauses(ctx context.Context, voice, text string) ([]clause, error) {
	text = strings.ToValidUTF8(strings.ReplaceAll(text, "\x00", " "), "\uFFFD")
	espeakProcess.mu.Lock()
	defer espeakProcess.mu.Unlock()
	if err := espeakStartLocked(); err != nil {
		return nil, err
	}
	if err := espeakVoiceLocked(voice); err != nil {
		return nil, err
	}
	cs := C.CString(text)
	defer C.free(unsafe.Pointer(cs))
	var clauses []clause
	for offset := C.int(0); offset >= 0 && int(offset) < len(text); {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("phonemise: %w", err)
		}
		start := int(offset)
		ph := C.GoString(C.parley_espeak_clause(cs, &offset))
		end, eof := clauseEnd(start, int(offset), len(text))
		if eof {
			offset = -1
		}
		punct, sentenceEnd := terminator(text, start, end, eof)
		clauses = append(clauses, clause{phonemes: ph, punct: punct, sentenceEnd: sentenceEnd})
	}
	return clauses, nil
}

// clauseEnd turns espeak's new offset into the end of the clause it read
// and whether the text is done: at -1 (espeak's NULL pointer), at the end of
// the text, or if the pointer failed to move (which would loop forever).
func clauseEnd(start, offset, n int) (end int, eof bool) {
	if offset < 0 || offset >= n || offset <= start {
		return n, true
	}
	return offset, false
}
