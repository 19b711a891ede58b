package gpupane

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/muesli/termenv"

	"parley/gpu"
	"parley/ui/common"
	"parley/ui/keymap"
	"parley/ui/styles"
)

func init() {
	lipgloss.SetColorProfile(termenv.Ascii)
}

func f64(v float64) *float64 { return &v }

func newTest(src Source, unicode bool) Model {
	km := keymap.Default()
	return New(common.Common{Styles: styles.Default(unicode), Keys: &km, Now: time.Now}, src, time.Millisecond)
}

func TestView(t *testing.T) {
	snap := gpu.Snapshot{GPUs: []gpu.GPUSample{
		{Index: 0, Name: "NVIDIA A100", MemUsedMiB: f64(70000), MemTotalMiB: f64(81920), ProcessMiB: f64(4096),
			UtilPercent: f64(90), TempC: f64(71), PowerW: f64(300), PowerLimitW: f64(400)},
		{Index: 1, Name: "NVIDIA T4", MemUsedMiB: nil, MemTotalMiB: f64(15360), UtilPercent: nil},
	}}
	var out string
	for _, unicode := range []bool{false, true} {
		m := newTest(func(context.Context) gpu.Snapshot { return snap }, unicode)
		m, _ = m.Update(sampledMsg{snap: snap})
		for _, s := range [][2]int{{80, 1}, {50, 8}, {50, 12}} {
			m.SetSize(s[0], s[1])
			out += m.View() + "\n"
		}
	}
	m := newTest(nil, false)
	m.SetSize(40, 3)
	out += m.View() + "\n"
	m = newTest(func(context.Context) gpu.Snapshot { return gpu.Snapshot{} }, false)
	m, _ = m.Update(sampledMsg{snap: gpu.Snapshot{Unavailable: "NVML library not found"}})
	m.SetSize(40, 3)
	out += m.View() + "\n"
	golden.RequireEqual(t, []byte(out))
}

// host runs the pane in a real program so its poll loop can be watched.
type host struct{ m Model }

func (h host) Init() tea.Cmd { return h.m.Init() }
func (h host) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	var cmd tea.Cmd
	h.m, cmd = h.m.Update(msg)
	return h, cmd
}
func (h host) View() string { return h.m.View() }

// TestPollsNeverOverlap: a slow GPU query (5 ms) with a 1 ms interval
// still runs one at a time, because the next poll is armed only after the
// result.
func TestPollsNeverOverlap(t *testing.T) {
	var running, most, calls atomic.Int32
	src := func(ctx context.Context) gpu.Snapshot {
		n := running.Add(1)
		defer running.Add(-1)
		calls.Add(1)
		for {
			m := most.Load()
			if n <= m || most.CompareAndSwap(m, n) {
				break
			}
		}
		time.Sleep(5 * time.Millisecond)
		return gpu.Snapshot{}
	}
	tm := teatest.NewTestModel(t, host{newTest(src, false)}, teatest.WithInitialTermSize(40, 5))
	time.Sleep(200 * time.Millisecond)
	if err := tm.Quit(); err != nil {
		t.Fatal(err)
	}
	tm.WaitFinished(t, teatest.WithFinalTimeout(time.Second))
	if most.Load() != 1 || calls.Load() < 5 {
		t.Fatalf("max concurrent polls %d, calls %d", most.Load(), calls.Load())
	}
}
