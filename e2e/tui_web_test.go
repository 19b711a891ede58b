package e2e

import (
	"regexp"
	"testing"
	"time"
)

// TestTUIWebAudio runs the real TUI with --audio web in an 80x24 terminal:
// the page's address, the one thing to do, shows whole on the first screen
// (its fact wraps rather than being cut), and the device picker says why
// there is nothing to switch instead of listing sound card devices.
func TestTUIWebAudio(t *testing.T) {
	addr := freeAddr(t)
	s := startTUI(t, 80, 24, "--audio", "web", "--web-addr", addr)
	scr := s.waitScreen(30*time.Second, "browser audio: open", "to type")
	address := regexp.MustCompile(`http://` + regexp.QuoteMeta(addr) + `/\?token=[A-Z2-7]{26}\b`)
	if !address.MatchString(scr) {
		t.Errorf("the page's address is not whole on the screen:\n%s", scr)
	}
	s.keys("d")
	s.waitScreen(10*time.Second, "choose devices in the browser")
	s.escape()
	s.quit()
}
