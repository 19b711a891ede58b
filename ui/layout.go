package ui

// Rect is a pane's place on the screen, in cells; a zero Rect is hidden.
type Rect struct {
	X, Y, W, H int
}

// Empty reports whether the rect has no cells.
func (r Rect) Empty() bool {
	return r.W <= 0 || r.H <= 0
}

// Mode is how much the screen can show.
type Mode int

// Layout modes, smallest first.
const (
	// ModeTiny shows only the conversation and a one-line status.
	ModeTiny Mode = iota
	// ModeCompact collapses the side panes to one-line summaries.
	ModeCompact
	// ModeFull shows every pane boxed.
	ModeFull
)

// Pane names a focusable pane, in focus order.
type Pane int

// Panes in focus order.
const (
	PaneConversation Pane = iota
	PaneStages
	PaneGPU
	PaneDevices
	numPanes
)

// Size thresholds of the modes.
const (
	fullMinW, fullMinH   = 100, 30
	tinyMaxW, tinyMaxH   = 40, 10
	rightMinW, rightMaxW = 46, 72
	stagesH              = 11 // headline, trend, header, 5 stages, RTF
	stagesMinH           = 9  // headline, header, 5 stages
	minConversationH     = 5
)

// LayoutOptions are the facts besides the terminal size that shape the
// layout.
type LayoutOptions struct {
	// GPUs is the number of GPUs shown (0 when there is none).
	GPUs int
	// Models is the number of rows in the devices table.
	Models int
	// Focus is the focused pane; in compact mode it expands if it fits.
	Focus Pane
	// Input is the height the open text input wants (0 when closed).
	Input int
}

// Layout is where every pane goes.
type Layout struct {
	Mode                               Mode
	Conversation, Stages, GPU, Devices Rect
	Status                             Rect
	// Input is the text input, under the conversation (empty when closed).
	Input Rect
}

// ComputeLayout places the panes on a w x h screen. It is pure: the same
// input gives the same rectangles, which tile the screen without overlap.
func ComputeLayout(w, h int, o LayoutOptions) Layout {
	w, h = max(w, 0), max(h, 0)
	var l Layout
	switch {
	case w >= fullMinW && h >= fullMinH:
		l = fullLayout(w, h, o)
	case w < tinyMaxW || h < tinyMaxH:
		l = tinyLayout(w, h)
	default:
		l = compactLayout(w, h, o)
	}
	l.carveInput(o.Input)
	return l
}

// carveInput takes the text input's rows from the bottom of the
// conversation, which keeps at least a third of its height.
func (l *Layout) carveInput(want int) {
	c := &l.Conversation
	ih := min(want, c.H-max(c.H/3, 1))
	if ih <= 0 {
		return
	}
	c.H -= ih
	l.Input = Rect{c.X, c.Y + c.H, c.W, ih}
}

// tinyLayout: conversation above a one-line status.
func tinyLayout(w, h int) Layout {
	if h == 0 || w == 0 {
		return Layout{Mode: ModeTiny}
	}
	return Layout{
		Mode:         ModeTiny,
		Conversation: Rect{0, 0, w, h - 1},
		Status:       Rect{0, h - 1, w, 1},
	}
}

// compactLayout: one summary line per side pane (the focused one boxed
// when it fits), the conversation, and a two-line status.
func compactLayout(w, h int, o LayoutOptions) Layout {
	l := Layout{Mode: ModeCompact, Status: Rect{0, h - 2, w, 2}}
	y := 0
	for p := PaneStages; p < numPanes; p++ {
		ph := 1
		if p == o.Focus && h-2-3-(naturalHeight(p, o)-1) >= minConversationH {
			ph = naturalHeight(p, o)
		}
		*l.rect(p) = Rect{0, y, w, ph}
		y += ph
	}
	l.Conversation = Rect{0, y, w, h - 2 - y}
	return l
}

// fullLayout: conversation on the left; pipeline, GPU and devices stacked
// on the right; a two-line status below.
func fullLayout(w, h int, o LayoutOptions) Layout {
	rw := min(max(w*2/5, rightMinW), rightMaxW)
	bh := h - 2
	sh, gh, dh := rightHeights(bh, o)
	x := w - rw
	return Layout{
		Mode:         ModeFull,
		Conversation: Rect{0, 0, x, bh},
		Stages:       Rect{x, 0, rw, sh},
		GPU:          Rect{x, sh, rw, gh},
		Devices:      Rect{x, sh + gh, rw, dh},
		Status:       Rect{0, bh, w, 2},
	}
}

// rightHeights splits the right column: devices at its natural height,
// stages and GPU at theirs (shrinking optional rows first when short);
// spare rows go to the latency and utilisation history charts.
func rightHeights(bh int, o LayoutOptions) (stages, gpu, devices int) {
	dh := naturalHeight(PaneDevices, o)
	gh := naturalHeight(PaneGPU, o)
	sh := stagesH
	if sh+gh+dh > bh {
		gh = gpuHeight(o.GPUs, false)
	}
	if sh+gh+dh > bh {
		sh = stagesMinH
	}
	gh = max(min(gh, bh-sh-dh), 3)
	if spare := bh - sh - gh - dh; spare > 0 && o.GPUs == 0 {
		sh += spare // no GPU charts to draw
	} else if spare > 0 { // taller history charts
		sh += spare / 2
		gh += spare - spare/2
	}
	return sh, gh, max(bh-sh-gh, 0)
}

// naturalHeight is the boxed height a pane wants.
func naturalHeight(p Pane, o LayoutOptions) int {
	switch p {
	case PaneStages:
		return stagesH
	case PaneGPU:
		return gpuHeight(o.GPUs, true)
	case PaneDevices:
		return 2 + 1 + max(o.Models, 3) + 2 // border, header, rows, 2 reasons
	}
	return 0
}

// gpuHeight is the GPU box height: 3 lines per GPU (4 with history).
func gpuHeight(gpus int, history bool) int {
	per := 3
	if history {
		per = 4
	}
	if gpus <= 0 {
		return 3
	}
	return 2 + per*gpus
}

// rect returns the field holding pane p's rect.
func (l *Layout) rect(p Pane) *Rect {
	switch p {
	case PaneStages:
		return &l.Stages
	case PaneGPU:
		return &l.GPU
	case PaneDevices:
		return &l.Devices
	}
	return &l.Conversation
}
