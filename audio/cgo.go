package audio

/*
#cgo LDFLAGS: -ldl
#include <dlfcn.h>
#include <stdlib.h>

// parley_alsa_noop swallows libasound's diagnostics. Without it, a machine
// with no sound card prints ~35 lines to stderr when miniaudio probes ALSA.
static void parley_alsa_noop(const char *file, int line, const char *function, int err, const char *fmt, ...) {}

// parley_quiet_alsa installs the no-op handler. The library handle is never
// closed: closing could unload libasound and forget the handler. Returns 0
// on success, -1 when libasound is absent (nothing to silence).
static int parley_quiet_alsa(void) {
	void *lib = dlopen("libasound.so.2", RTLD_NOW | RTLD_GLOBAL);
	if (lib == NULL) {
		return -1;
	}
	int (*set)(void *) = (int (*)(void *))dlsym(lib, "snd_lib_error_set_handler");
	if (set == NULL) {
		return -1;
	}
	return set((void *)parley_alsa_noop);
}
*/
import "C"

import "unsafe"

// quietALSA silences libasound's error printing before miniaudio touches
// ALSA. It is idempotent and harmless when libasound is not installed.
func quietALSA() {
	C.parley_quiet_alsa()
}

// freeC releases memory that malgo allocated with C.CBytes (a device id).
func freeC(p unsafe.Pointer) {
	if p != nil {
		C.free(p)
	}
}
