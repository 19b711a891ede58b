package app

import (
	"context"
	"errors"
	"fmt"

	"parley/internal/prefs"
	"parley/pipeline"
)

// errNoServer indicates a model request while the offline responder
// answers alone (llm.engine = "offline").
var errNoServer = errors.New(`llm.engine = "offline": no LLM server to list or pick models from`)

// Models lists the models the LLM server offers (GET /v1/models).
func (a *App) Models(ctx context.Context) ([]string, error) {
	if a.client == nil {
		return nil, errNoServer
	}
	return a.client.Models(ctx)
}

// SetModel makes name the LLM server's model from the next turn on (also
// while the offline responder stands in for the server, for when it is
// back), and remembers it for the next start unless the user pinned
// llm.model.
func (a *App) SetModel(name string) error {
	if a.client == nil {
		return errNoServer
	}
	if err := a.client.SetModel(name); err != nil {
		return err
	}
	a.pipe.Announce(pipeline.Notice{Fact: "llm", Text: "LLM model " + a.client.Name() + " from the next turn",
		Detail: fmt.Sprintf("model %s at %s", a.client.Name(), a.client.BaseURL())})
	return a.remember("model", a.pins.Model, func(p *prefs.Prefs) { p.LLMModel = a.client.Name() })
}
