package llm

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// ErrNoModels indicates a server whose model list names no model.
var ErrNoModels = errors.New("the server lists no model")

// Models lists the models the server offers (GET /v1/models), sorted by
// name, within the client's timeout. Errors name the server, like those
// of Respond.
func (c *OpenAI) Models(ctx context.Context) ([]string, error) {
	ctx, cancel := context.WithTimeout(ctx, c.opts.Timeout)
	defer cancel()
	page, err := c.models.List(ctx)
	if err != nil {
		return nil, c.classify(err)
	}
	var names []string
	for _, m := range page.Data {
		if id := strings.TrimSpace(m.ID); id != "" && !slices.Contains(names, id) {
			names = append(names, id)
		}
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("%s: %w", c.label(), ErrNoModels)
	}
	slices.Sort(names)
	return names, nil
}

// SetModel makes name the model of every request from the next one on; a
// reply already streaming goes on with the model it was asked of. It is
// safe to call while replies stream.
func (c *OpenAI) SetModel(name string) error {
	name = strings.TrimSpace(name)
	if name == "" {
		return fmt.Errorf("llm server %s: %w", c.opts.BaseURL, ErrNoModel)
	}
	c.model.Store(&name)
	return nil
}
