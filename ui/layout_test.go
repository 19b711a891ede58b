package ui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/exp/golden"
)

// drawLayout draws each pane's rect as an ASCII box (a one-line rect as a
// row of its letter), so a layout reads at a glance.
func drawLayout(w, h int, l Layout) string {
	grid := make([][]byte, h)
	for y := range grid {
		grid[y] = []byte(strings.Repeat(".", w))
	}
	for _, p := range []struct {
		r Rect
		c byte
	}{{l.Conversation, 'C'}, {l.Stages, 'S'}, {l.GPU, 'G'}, {l.Devices, 'D'}, {l.Status, '='}, {l.Input, 'I'}} {
		drawRect(grid, p.r, p.c)
	}
	lines := make([]string, h)
	for y := range grid {
		lines[y] = string(grid[y])
	}
	return strings.Join(lines, "\n") + "\n"
}

func drawRect(grid [][]byte, r Rect, c byte) {
	for y := r.Y; y < r.Y+r.H; y++ {
		for x := r.X; x < r.X+r.W; x++ {
			ch := c
			edgeY, edgeX := y == r.Y || y == r.Y+r.H-1, x == r.X || x == r.X+r.W-1
			switch {
			case r.H < 3 || r.W < 3:
			case edgeY && edgeX:
				ch = '+'
			case edgeY:
				ch = '-'
			case edgeX:
				ch = '|'
			}
			grid[y][x] = ch
		}
	}
}

// TestLayoutGolden pins the arrangement at the sizes that matter against
// ASCII drawings in testdata/TestLayoutGolden/<case>.golden.
func TestLayoutGolden(t *testing.T) {
	cases := []struct {
		name string
		w, h int
		o    LayoutOptions
	}{
		{"80x24", 80, 24, LayoutOptions{GPUs: 1, Models: 3}},
		{"80x24_focus_gpu", 80, 24, LayoutOptions{GPUs: 2, Models: 3, Focus: PaneGPU}},
		{"120x40", 120, 40, LayoutOptions{GPUs: 2, Models: 3}},
		{"160x48", 160, 48, LayoutOptions{GPUs: 1, Models: 3}},
		{"20x5", 20, 5, LayoutOptions{GPUs: 1, Models: 3}},
		{"80x24_input", 80, 24, LayoutOptions{GPUs: 1, Models: 3, Input: 7}},
		{"120x40_input", 120, 40, LayoutOptions{GPUs: 2, Models: 3, Input: 10}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			golden.RequireEqual(t, []byte(drawLayout(c.w, c.h, ComputeLayout(c.w, c.h, c.o))))
		})
	}
}

// TestLayoutRects checks the key rectangles directly.
func TestLayoutRects(t *testing.T) {
	cases := []struct {
		name string
		w, h int
		o    LayoutOptions
		want Layout
	}{
		{"80x24 compact", 80, 24, LayoutOptions{GPUs: 1, Models: 3}, Layout{
			Mode: ModeCompact, Stages: Rect{0, 0, 80, 1}, GPU: Rect{0, 1, 80, 1}, Devices: Rect{0, 2, 80, 1},
			Conversation: Rect{0, 3, 80, 19}, Status: Rect{0, 22, 80, 2}}},
		{"120x40 full", 120, 40, LayoutOptions{GPUs: 2, Models: 3}, Layout{
			Mode: ModeFull, Conversation: Rect{0, 0, 72, 38}, Stages: Rect{72, 0, 48, 15},
			GPU: Rect{72, 15, 48, 15}, Devices: Rect{72, 30, 48, 8}, Status: Rect{0, 38, 120, 2}}},
		{"20x5 tiny", 20, 5, LayoutOptions{}, Layout{
			Mode: ModeTiny, Conversation: Rect{0, 0, 20, 4}, Status: Rect{0, 4, 20, 1}}},
		{"0x0", 0, 0, LayoutOptions{}, Layout{Mode: ModeTiny}},
		{"120x40 input", 120, 40, LayoutOptions{GPUs: 2, Models: 3, Input: 3}, Layout{
			Mode: ModeFull, Conversation: Rect{0, 0, 72, 35}, Input: Rect{0, 35, 72, 3}, Stages: Rect{72, 0, 48, 15},
			GPU: Rect{72, 15, 48, 15}, Devices: Rect{72, 30, 48, 8}, Status: Rect{0, 38, 120, 2}}},
		{"20x5 input keeps a line", 20, 5, LayoutOptions{Input: 10}, Layout{
			Mode: ModeTiny, Conversation: Rect{0, 0, 20, 1}, Input: Rect{0, 1, 20, 3}, Status: Rect{0, 4, 20, 1}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := ComputeLayout(c.w, c.h, c.o); got != c.want {
				t.Errorf("ComputeLayout(%d, %d) =\n%+v\nwant\n%+v", c.w, c.h, got, c.want)
			}
		})
	}
}

// TestLayoutTiles checks, for every size up to 200x60, that panes stay on
// screen and never overlap, and that the conversation is always shown.
func TestLayoutTiles(t *testing.T) {
	for w := 0; w <= 200; w += 7 {
		for h := 0; h <= 60; h++ {
			for gpus := 0; gpus <= 8; gpus += 4 {
				for f := PaneConversation; f < numPanes; f++ {
					for _, in := range []int{0, 3, 10} {
						l := ComputeLayout(w, h, LayoutOptions{GPUs: gpus, Models: 3, Focus: f, Input: in})
						checkTiles(t, w, h, l)
					}
				}
			}
		}
	}
}

func checkTiles(t *testing.T, w, h int, l Layout) {
	t.Helper()
	used := make([]int, w*h)
	for _, r := range []Rect{l.Conversation, l.Stages, l.GPU, l.Devices, l.Status, l.Input} {
		if r.Empty() {
			continue
		}
		if r.X < 0 || r.Y < 0 || r.X+r.W > w || r.Y+r.H > h {
			t.Fatalf("%dx%d: %+v off screen", w, h, r)
		}
		for y := r.Y; y < r.Y+r.H; y++ {
			for x := r.X; x < r.X+r.W; x++ {
				used[y*w+x]++
				if used[y*w+x] > 1 {
					t.Fatalf("%dx%d: overlap at %d,%d in %+v", w, h, x, y, l)
				}
			}
		}
	}
	if w > 0 && h > 1 && l.Conversation.Empty() {
		t.Fatalf("%dx%d: no conversation: %+v", w, h, l)
	}
}
