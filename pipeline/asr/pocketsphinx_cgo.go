package asr

/*
#cgo pkg-config: pocketsphinx sphinxbase
#include <malloc.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <pocketsphinx.h>
#include <sphinxbase/err.h>

// Why a lock and the current path in C: sphinxbase's logger is one FILE*
// for the whole process. -logfn makes ps_init open the file again and
// fclose the previous FILE*, which another decoder may be writing to at
// that moment. So the log file is opened here, only when the path
// changes, and the decoder's own arguments leave -logfn out.
static pthread_mutex_t parley_ps_log_mu = PTHREAD_MUTEX_INITIALIZER;
static char *parley_ps_logfn;

// parley_ps_set_log points sphinxbase's log at logfn. A file that cannot
// be opened silences the log and returns -1.
static int parley_ps_set_log(const char *logfn) {
	int rc = 0;
	pthread_mutex_lock(&parley_ps_log_mu);
	if (parley_ps_logfn == NULL || strcmp(parley_ps_logfn, logfn) != 0) {
		free(parley_ps_logfn);
		parley_ps_logfn = strdup(logfn);
		if (err_set_logfile(logfn) < 0) {
			err_set_logfp(NULL);
			free(parley_ps_logfn);
			parley_ps_logfn = NULL;
			rc = -1;
		}
	}
	pthread_mutex_unlock(&parley_ps_log_mu);
	return rc;
}

// parley_ps_init parses argv with the decoder's argument table and starts a
// decoder. The log must be set first, because parsing already logs.
static ps_decoder_t *parley_ps_init(int argc, char **argv) {
	cmd_ln_t *config;
	ps_decoder_t *ps;

	config = cmd_ln_parse_r(NULL, ps_args(), argc, argv, TRUE);
	if (config == NULL) {
		return NULL;
	}
	ps = ps_init(config);
	cmd_ln_free_r(config);
	return ps;
}

// parley_ps_free frees the decoder and hands its ~90 MB back to the system
// at once: freed on whichever thread cgo used, it would otherwise stay in
// that thread's malloc arena.
static void parley_ps_free(ps_decoder_t *ps) {
	ps_free(ps);
	malloc_trim(0);
}
*/
import "C"

import (
	"fmt"
	"strings"
	"unsafe"
)

// psDecoder owns one pocketsphinx decoder. It is not safe for concurrent
// use; Pocketsphinx serialises every call.
type psDecoder struct {
	ps  *C.ps_decoder_t
	buf []int16 // reused by process to convert float32 samples
}

// newPSDecoder starts a decoder with the given "-key value" arguments,
// logging to logFile (see parley_ps_set_log).
func newPSDecoder(logFile string, args []string) (*psDecoder, error) {
	argv := make([]*C.char, len(args))
	for i, a := range args {
		argv[i] = C.CString(a)
	}
	defer freeCStrings(argv)
	clog := C.CString(logFile)
	defer C.free(unsafe.Pointer(clog))
	if C.parley_ps_set_log(clog) < 0 {
		return nil, fmt.Errorf("pocketsphinx: open log file %s: %w", logFile, ErrInit)
	}
	ps := C.parley_ps_init(C.int(len(argv)), &argv[0])
	if ps == nil {
		return nil, fmt.Errorf("pocketsphinx (log: %s): %w", logFile, ErrInit)
	}
	return &psDecoder{ps: ps}, nil
}

func freeCStrings(s []*C.char) {
	for _, p := range s {
		C.free(unsafe.Pointer(p))
	}
}

// start begins an utterance.
func (d *psDecoder) start() error {
	if C.ps_start_utt(d.ps) < 0 {
		return fmt.Errorf("pocketsphinx ps_start_utt: %w", ErrDecode)
	}
	return nil
}

// process decodes samples in [-1, 1], converted to 16-bit PCM.
func (d *psDecoder) process(samples []float32) error {
	if len(samples) == 0 {
		return nil
	}
	d.buf = toPCM16(d.buf[:0], samples)
	n := C.ps_process_raw(d.ps, (*C.int16)(unsafe.Pointer(&d.buf[0])), C.size_t(len(d.buf)), 0, 0)
	if n < 0 {
		return fmt.Errorf("pocketsphinx ps_process_raw: %w", ErrDecode)
	}
	return nil
}

// hyp returns the best hypothesis so far, trimmed.
func (d *psDecoder) hyp() string {
	var score C.int32
	h := C.ps_get_hyp(d.ps, &score)
	if h == nil {
		return ""
	}
	return strings.TrimSpace(C.GoString(h))
}

// end ends the utterance.
func (d *psDecoder) end() error {
	if C.ps_end_utt(d.ps) < 0 {
		return fmt.Errorf("pocketsphinx ps_end_utt: %w", ErrDecode)
	}
	return nil
}

// free releases the decoder.
func (d *psDecoder) free() {
	if d.ps != nil {
		C.parley_ps_free(d.ps)
		d.ps = nil
	}
}

// toPCM16 appends samples in [-1, 1] to dst as clipped 16-bit PCM.
func toPCM16(dst []int16, samples []float32) []int16 {
	for _, s := range samples {
		v := s * 32767
		switch {
		case v != v: // NaN
			v = 0
		case v > 32767:
			v = 32767
		case v < -32768:
			v = -32768
		}
		dst = append(dst, int16(v))
	}
	return dst
}
