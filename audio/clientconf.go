package audio

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
)

// SharedMemory says how parley's own PulseAudio connections use shared
// memory, for doctor: "on", "off (…)" or the user's own setting.
func SharedMemory() string {
	s := CurrentServer()
	conf := os.Getenv("PULSE_CLIENTCONFIG")
	switch {
	case conf != "" && slices.Contains(privateClientConfigs(), conf):
		return "off (parley's client config " + conf + ")"
	case conf != "":
		return "as PULSE_CLIENTCONFIG=" + conf + " says"
	case s.Named || s.Remote:
		return "off once a device opens"
	default:
		return "on (local server)"
	}
}

// disableSHM turns shared memory off for this process's PulseAudio
// connections when the server may be behind a relay that cannot pass file
// descriptors (PULSE_SERVER is set, or parley runs in an SSH session):
// libpulse would otherwise hand the server memfd descriptors that an SSH
// socket forward drops, and the server kicks the client ("Expected 1 memfd
// fd to be received over pipe; got 0"). It writes a private client config
// with `enable-shm = no` (after an .include of the config libpulse would
// have read, so the user's other settings stay) and points
// PULSE_CLIENTCONFIG at it, unless the user set PULSE_CLIENTCONFIG. It
// runs before every context opens; once the variable is set it does
// nothing, so the environment changes once, before the first connection.
func disableSHM() error {
	s := CurrentServer()
	if (!s.Named && !s.Remote) || os.Getenv("PULSE_CLIENTCONFIG") != "" {
		return nil
	}
	var errs []error
	for _, path := range privateClientConfigs() {
		err := writePrivate(path, clientConfig())
		if err == nil {
			return os.Setenv("PULSE_CLIENTCONFIG", path)
		}
		errs = append(errs, err)
	}
	return fmt.Errorf("PulseAudio client config without shared memory: %w", errors.Join(errs...))
}

// clientConfig is the private config's text.
func clientConfig() string {
	var b strings.Builder
	b.WriteString("# Written by parley: the PulseAudio server may be reached through a socket\n")
	b.WriteString("# forward (SSH) that cannot carry shared-memory file descriptors.\n")
	if inc := userClientConfig(); inc != "" {
		fmt.Fprintf(&b, ".include %s\n", inc)
	}
	b.WriteString("enable-shm = no\n")
	return b.String()
}

// userClientConfig is the file libpulse reads without PULSE_CLIENTCONFIG:
// the user's own, else the system's; "" when neither exists.
func userClientConfig() string {
	candidates := []string{"/etc/pulse/client.conf"}
	dir := os.Getenv("XDG_CONFIG_HOME")
	if home, err := os.UserHomeDir(); dir == "" && err == nil {
		dir = filepath.Join(home, ".config")
	}
	if dir != "" {
		candidates = append([]string{filepath.Join(dir, "pulse", "client.conf")}, candidates...)
	}
	for _, p := range candidates {
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
			return p
		}
	}
	return ""
}

// privateClientConfigs are where parley may keep its client config, in
// order: the user's runtime folder, then a private folder under the temp
// folder.
func privateClientConfigs() []string {
	tmp := filepath.Join(os.TempDir(), fmt.Sprintf("parley-%d", os.Getuid()), "pulse-client.conf")
	if dir := os.Getenv("XDG_RUNTIME_DIR"); dir != "" {
		return []string{filepath.Join(dir, "parley", "pulse-client.conf"), tmp}
	}
	return []string{tmp}
}

// writePrivate writes text to path atomically in a folder only this user
// may enter; a folder owned by someone else (a planted one in /tmp) is
// refused.
func writePrivate(path, text string) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	st, err := os.Lstat(dir)
	if err != nil {
		return err
	}
	if !st.IsDir() || st.Mode().Perm()&0o077 != 0 || !ownedByMe(st) {
		return fmt.Errorf("%s is not a private folder of this user", dir)
	}
	tmp, err := os.CreateTemp(dir, "pulse-client-*.conf")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.WriteString(text); err != nil {
		_ = tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

func ownedByMe(st os.FileInfo) bool {
	sys, ok := st.Sys().(*syscall.Stat_t)
	return ok && int(sys.Uid) == os.Getuid()
}
