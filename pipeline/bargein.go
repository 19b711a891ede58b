package pipeline

import (
	"context"
	"fmt"
	"math"
	"sync"
	"time"
)

// turnControl knows the turn being answered, so that a barge-in can cancel
// it, and which turns were cancelled, so that their events stay out of the
// UI (they are still logged).
type turnControl struct {
	mu        sync.Mutex
	turn      TurnID
	cancel    context.CancelFunc
	cancelled TurnID // every turn up to this one was cut short
	// stopping is held while a barge-in stops the turn and says so: the
	// cut turn reports its end only after that notice (cause, then effect).
	stopping sync.Mutex
}

// beginTurn records the turn now being answered.
func (p *Pipeline) beginTurn(turn TurnID, cancel context.CancelFunc) {
	p.turns.mu.Lock()
	defer p.turns.mu.Unlock()
	p.turns.turn, p.turns.cancel = turn, cancel
}

// endTurn forgets the turn once its answer is over.
func (p *Pipeline) endTurn(turn TurnID) {
	p.turns.mu.Lock()
	defer p.turns.mu.Unlock()
	if p.turns.turn == turn {
		p.turns.turn, p.turns.cancel = 0, nil
	}
}

// cancelled reports whether turn was cut short by a barge-in.
func (p *Pipeline) cancelled(turn TurnID) bool {
	p.turns.mu.Lock()
	defer p.turns.mu.Unlock()
	return turn != 0 && turn <= p.turns.cancelled
}

// interrupt cancels the turn being answered (its LLM stream and pending
// synthesis) and stops playback at once. The turn is marked cancelled before
// the flush: a flush wakes the turn's speaker, which must then find the turn
// cut. It returns how long stopping took.
func (p *Pipeline) interrupt() time.Duration {
	t0 := p.opts.Now()
	p.turns.mu.Lock()
	if p.turns.cancel != nil {
		p.turns.cancelled = max(p.turns.cancelled, p.turns.turn)
		p.turns.cancel()
	}
	p.turns.mu.Unlock()
	p.opts.Player.Flush()
	p.speaking.Store(false)
	return p.opts.Now().Sub(t0)
}

// stopForBargeIn stops the reply being spoken because the user talks over it, and
// emits the notice before the cut turn can report its end.
func (p *Pipeline) stopForBargeIn(level float32) {
	p.turns.stopping.Lock()
	defer p.turns.stopping.Unlock()
	took := p.interrupt()
	p.emit(Event{Kind: KindInfo, Text: fmt.Sprintf("barge-in: speech at %.0f dBFS over parley; playback stopped in %.1f ms",
		20*math.Log10(float64(level)+1e-9), ms(took))})
}

// awaitStopNotice returns once no barge-in is between stopping a turn and
// reporting it.
func (p *Pipeline) awaitStopNotice() {
	p.turns.stopping.Lock()
	defer p.turns.stopping.Unlock()
}

// SetBargeIn lets speech interrupt a reply (true) or not.
func (p *Pipeline) SetBargeIn(on bool) {
	p.bargeIn.Store(on)
}

// BargeIn reports whether speech may interrupt a reply.
func (p *Pipeline) BargeIn() bool {
	return p.bargeIn.Load()
}

// visible reports whether an event may reach the reader: events of a turn
// cut short stay in the log only, except the notice that it was cut.
func (p *Pipeline) visible(ev Event) bool {
	if ev.Kind == KindInterrupted || ev.Kind == KindState {
		return true
	}
	return !p.cancelled(ev.Turn)
}
