// Package styles holds the one Styles value the UI builds at startup. It is
// its own package so every pane can share it without an import cycle.
//
// Colours are named by role, not hue, and are lipgloss.AdaptiveColor so they
// suit light and dark terminals. Colour output follows the lipgloss renderer,
// which honours NO_COLOR (and ASCII terminals) by dropping every escape
// sequence; that is why each state is also written as text ("...",
// "[interrupted]", "N/A"), never told by colour alone.
package styles

import "github.com/charmbracelet/lipgloss"

// Palette names the colours by role.
type Palette struct {
	Text, Muted, Accent, Border, BorderFocused lipgloss.AdaptiveColor
	Good, Warn, Bad, User, Assistant           lipgloss.AdaptiveColor
}

// DefaultPalette returns parley's colours.
func DefaultPalette() Palette {
	return Palette{
		Text:          lipgloss.AdaptiveColor{Light: "235", Dark: "252"},
		Muted:         lipgloss.AdaptiveColor{Light: "245", Dark: "243"},
		Accent:        lipgloss.AdaptiveColor{Light: "63", Dark: "111"},
		Border:        lipgloss.AdaptiveColor{Light: "250", Dark: "238"},
		BorderFocused: lipgloss.AdaptiveColor{Light: "63", Dark: "111"},
		Good:          lipgloss.AdaptiveColor{Light: "28", Dark: "78"},
		Warn:          lipgloss.AdaptiveColor{Light: "136", Dark: "221"},
		Bad:           lipgloss.AdaptiveColor{Light: "160", Dark: "203"},
		User:          lipgloss.AdaptiveColor{Light: "30", Dark: "80"},
		Assistant:     lipgloss.AdaptiveColor{Light: "97", Dark: "183"},
	}
}

// Glyphs are the characters for boxes, bars and sparklines; ASCII ones
// when the terminal (or an SSH hop) cannot show Unicode.
type Glyphs struct {
	// Unicode is true when the glyphs below are Unicode.
	Unicode bool
	// Border draws pane boxes.
	Border lipgloss.Border
	// BarFull fills a gauge; BarEighths are partial cells (Unicode only).
	BarFull    string
	BarEighths []string
	// BarShare fills the part of a memory gauge held by this process.
	BarShare string
	// Spark are the sparkline levels, lowest first.
	Spark []string
	// Ellipsis ends truncated or still-growing text.
	Ellipsis string
	// Cursor follows a reply that is still streaming in.
	Cursor string
	// Focus marks the focused one-line summary.
	Focus string
	// Dot separates items in one-line summaries.
	Dot string
}

// PaneStyles style the pane boxes.
type PaneStyles struct {
	Border, BorderFocused, Title, TitleFocused lipgloss.Style
}

// ConversationStyles style the conversation pane.
type ConversationStyles struct {
	User, Assistant, Text, Partial, Interrupted, Notice, Error lipgloss.Style
}

// GaugeStyles style bars and values at nvitop's load levels.
type GaugeStyles struct {
	Light, Moderate, Heavy, Share, NA, Label lipgloss.Style
}

// StatusStyles style the status and help lines.
type StatusStyles struct {
	State, Flag, Error, Notice, Key, Desc lipgloss.Style
}

// Styles is every style the UI uses, nested by pane.
type Styles struct {
	Glyphs       Glyphs
	Pane         PaneStyles
	Conversation ConversationStyles
	Gauge        GaugeStyles
	Status       StatusStyles
	// Muted is secondary text; Header is table headings; Fatal is the
	// full-screen error.
	Muted, Header, Fatal lipgloss.Style
}

// New returns the styles for the palette; unicode picks the glyph set.
func New(p Palette, unicode bool) *Styles {
	s := lipgloss.NewStyle
	return &Styles{
		Glyphs: NewGlyphs(unicode),
		Pane: PaneStyles{
			Border:        s().Foreground(p.Border),
			BorderFocused: s().Foreground(p.BorderFocused),
			Title:         s().Foreground(p.Muted).Bold(true),
			TitleFocused:  s().Foreground(p.Accent).Bold(true),
		},
		Conversation: ConversationStyles{
			User:        s().Foreground(p.User).Bold(true),
			Assistant:   s().Foreground(p.Assistant).Bold(true),
			Text:        s().Foreground(p.Text),
			Partial:     s().Foreground(p.Muted).Faint(true),
			Interrupted: s().Foreground(p.Warn),
			Notice:      s().Foreground(p.Muted),
			Error:       s().Foreground(p.Bad),
		},
		Gauge: GaugeStyles{
			Light:    s().Foreground(p.Good),
			Moderate: s().Foreground(p.Warn),
			Heavy:    s().Foreground(p.Bad),
			Share:    s().Foreground(p.Accent),
			NA:       s().Foreground(p.Muted),
			Label:    s().Foreground(p.Muted),
		},
		Status: StatusStyles{
			State:  s().Foreground(p.Accent).Bold(true),
			Flag:   s().Foreground(p.Warn),
			Error:  s().Foreground(p.Bad).Bold(true),
			Notice: s().Foreground(p.Good),
			Key:    s().Foreground(p.Accent),
			Desc:   s().Foreground(p.Muted),
		},
		Muted:  s().Foreground(p.Muted),
		Header: s().Foreground(p.Muted).Bold(true),
		Fatal:  s().Foreground(p.Bad).Bold(true),
	}
}

// Default returns the styles for the default palette.
func Default(unicode bool) *Styles {
	return New(DefaultPalette(), unicode)
}

// NewGlyphs returns the Unicode or the ASCII glyph set.
func NewGlyphs(unicode bool) Glyphs {
	if unicode {
		return Glyphs{
			Unicode: true, Border: lipgloss.RoundedBorder(),
			BarFull: "█", BarEighths: []string{"", "▏", "▎", "▍", "▌", "▋", "▊", "▉"},
			BarShare: "▓", Spark: []string{"▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"},
			Ellipsis: "…", Cursor: "▍", Focus: "▸", Dot: "·",
		}
	}
	return Glyphs{
		Border: lipgloss.Border{
			Top: "-", Bottom: "-", Left: "|", Right: "|",
			TopLeft: "+", TopRight: "+", BottomLeft: "+", BottomRight: "+",
		},
		BarFull: "|", BarShare: "#", Spark: []string{"_", ".", "-", "~", "=", "*", "#", "@"},
		Ellipsis: "...", Cursor: "_", Focus: ">", Dot: "|",
	}
}
