package tts

/*
#cgo CFLAGS: -I/usr/include/flite
#cgo LDFLAGS: -lflite_cmu_us_slt -lflite_cmu_us_kal16 -lflite_cmu_us_rms -lflite_cmu_us_awb -lflite_usenglish -lflite_cmulex -lflite -lm
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <flite.h>

cst_voice *register_cmu_us_slt(const char *voxdir);
void unregister_cmu_us_slt(cst_voice *v);
cst_voice *register_cmu_us_kal16(const char *voxdir);
void unregister_cmu_us_kal16(cst_voice *v);
cst_voice *register_cmu_us_rms(const char *voxdir);
void unregister_cmu_us_rms(cst_voice *v);
cst_voice *register_cmu_us_awb(const char *voxdir);
void unregister_cmu_us_awb(cst_voice *v);

// Why a lock and reference counts in C: flite keeps process-wide state.
// register_cmu_us_X returns one shared voice per process (a second call
// returns the same pointer) and unregister frees it; voices share the CMU
// lexicon, and flite_init fills global tables. Two engines with the same
// voice must therefore share one lock and must not free the voice under
// each other. This state belongs to the C library, so it is guarded here,
// next to it: every flite call below holds parley_flite_mu.
enum { PARLEY_SLT, PARLEY_KAL16, PARLEY_RMS, PARLEY_AWB, PARLEY_NVOICES };

static pthread_mutex_t parley_flite_mu = PTHREAD_MUTEX_INITIALIZER;
static int parley_flite_ready;
static int parley_flite_refs[PARLEY_NVOICES];
static cst_voice *parley_flite_voices[PARLEY_NVOICES];

static cst_voice *parley_flite_register(int id) {
	switch (id) {
	case PARLEY_SLT: return register_cmu_us_slt(NULL);
	case PARLEY_KAL16: return register_cmu_us_kal16(NULL);
	case PARLEY_RMS: return register_cmu_us_rms(NULL);
	case PARLEY_AWB: return register_cmu_us_awb(NULL);
	}
	return NULL;
}

static void parley_flite_unregister(int id, cst_voice *v) {
	switch (id) {
	case PARLEY_SLT: unregister_cmu_us_slt(v); break;
	case PARLEY_KAL16: unregister_cmu_us_kal16(v); break;
	case PARLEY_RMS: unregister_cmu_us_rms(v); break;
	case PARLEY_AWB: unregister_cmu_us_awb(v); break;
	}
}

// parley_flite_open registers voice id (once per process) and counts a user.
static cst_voice *parley_flite_open(int id) {
	cst_voice *v;
	if (id < 0 || id >= PARLEY_NVOICES) return NULL;
	pthread_mutex_lock(&parley_flite_mu);
	if (!parley_flite_ready) {
		flite_init();
		parley_flite_ready = 1;
	}
	if (parley_flite_refs[id] == 0) parley_flite_voices[id] = parley_flite_register(id);
	v = parley_flite_voices[id];
	if (v != NULL) parley_flite_refs[id]++;
	pthread_mutex_unlock(&parley_flite_mu);
	return v;
}

// parley_flite_close drops a user of voice id, freeing it after the last.
static void parley_flite_close(int id) {
	if (id < 0 || id >= PARLEY_NVOICES) return;
	pthread_mutex_lock(&parley_flite_mu);
	if (parley_flite_refs[id] > 0 && --parley_flite_refs[id] == 0) {
		parley_flite_unregister(id, parley_flite_voices[id]);
		parley_flite_voices[id] = NULL;
	}
	pthread_mutex_unlock(&parley_flite_mu);
}

// parley_flite_synth speaks text and copies the first channel into a new
// malloc'd buffer of *n samples at *rate Hz; the caller frees it.
// Clustergen voices (slt, rms, awb) draw their unvoiced excitation from
// libc rand(); seeding it first makes the same text give the same audio,
// which tests and CPU/GPU output comparisons rely on. Nothing else in
// parley uses libc rand().
static short *parley_flite_synth(cst_voice *v, const char *text, int *n, int *rate) {
	cst_wave *w;
	short *out = NULL;
	int i, ch;

	*n = 0;
	*rate = 0;
	pthread_mutex_lock(&parley_flite_mu);
	srand(1);
	w = flite_text_to_wave(text, v);
	if (w != NULL) {
		ch = w->num_channels > 0 ? w->num_channels : 1;
		*rate = w->sample_rate;
		*n = w->num_samples;
		out = malloc(sizeof(short) * (*n > 0 ? *n : 1));
		for (i = 0; out != NULL && i < *n; i++) out[i] = w->samples[i * ch];
		delete_wave(w);
	}
	pthread_mutex_unlock(&parley_flite_mu);
	return out;
}
*/
import "C"

import (
	"fmt"
	"unsafe"
)

// fliteVoiceID maps voice names to the ids of the C helpers above.
func fliteVoiceID(name string) (int, bool) {
	switch name {
	case "slt":
		return C.PARLEY_SLT, true
	case "kal16":
		return C.PARLEY_KAL16, true
	case "rms":
		return C.PARLEY_RMS, true
	case "awb":
		return C.PARLEY_AWB, true
	}
	return 0, false
}

// fliteVoice is one user's handle on a registered flite voice.
type fliteVoice struct {
	id int
	v  *C.cst_voice
}

// openFliteVoice registers the voice (or shares it if registered).
func openFliteVoice(id int) (*fliteVoice, error) {
	v := C.parley_flite_open(C.int(id))
	if v == nil {
		return nil, fmt.Errorf("flite: register voice %d: %w", id, ErrSynthesis)
	}
	return &fliteVoice{id: id, v: v}, nil
}

// close drops this handle; the last one frees the voice.
func (f *fliteVoice) close() {
	C.parley_flite_close(C.int(f.id))
}

// synth speaks text and returns samples in [-1, 1] and their rate.
func (f *fliteVoice) synth(text string) ([]float32, int, error) {
	ctext := C.CString(text)
	defer C.free(unsafe.Pointer(ctext))
	var n, rate C.int
	pcm := C.parley_flite_synth(f.v, ctext, &n, &rate)
	if pcm == nil {
		return nil, 0, fmt.Errorf("flite_text_to_wave: %w", ErrSynthesis)
	}
	defer C.free(unsafe.Pointer(pcm))
	src := unsafe.Slice((*int16)(unsafe.Pointer(pcm)), int(n))
	out := make([]float32, len(src))
	for i, s := range src {
		out[i] = float32(s) / 32768
	}
	return out, int(rate), nil
}
