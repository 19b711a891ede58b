package app

import (
	"fmt"

	"parley/config"
	"parley/pipeline"
	"parley/pipeline/llm"
)

// openLLM builds the answer stage from llm.engine: the OpenAI-compatible
// server (with the offline responder standing in while it cannot be
// reached, for "auto"), or the offline responder alone.
func (a *App) openLLM() error {
	offline := llm.NewOffline(llm.OfflineOptions{})
	c := a.eng.Config.LLM
	if c.Engine == "offline" {
		a.llm = offline
		return nil
	}
	client, err := llm.NewOpenAI(llm.OpenAIOptions{
		BaseURL: c.BaseURL, Model: c.Model, SystemPrompt: c.SystemPrompt, Temperature: c.Temperature,
		MaxTokens: c.MaxTokens, Timeout: c.Timeout.Duration, APIKey: llm.APIKeyFromEnv(),
		MaxHistoryChars: c.MaxHistoryChars, Retries: c.Retries,
	})
	if err != nil {
		return fmt.Errorf("llm: %w", err)
	}
	if c.Engine == "openai" {
		a.llm = client
		return nil
	}
	fallback := llm.NewFallback(client, offline, llm.FallbackOptions{
		CheckInterval: c.CheckInterval.Duration, Probe: client.Probe, OnChange: a.llmChanged,
	})
	a.llm, a.llmWatch = fallback, fallback.Watch
	return nil
}

// llmChanged tells the user when the LLM server goes away or comes back.
func (a *App) llmChanged(online bool, reason string) {
	c := a.eng.Config.LLM
	msg := fmt.Sprintf("LLM online: %s at %s", c.Model, c.BaseURL)
	if !online {
		msg = "LLM offline, the offline responder answers: " + reason
	}
	if a.pipe != nil {
		a.pipe.Notify(msg)
	}
}

// newSplitter returns the factory of splitters that cut replies into
// speakable units as [conversation] says.
func newSplitter(c config.Conversation) func() pipeline.Splitter {
	opts := llm.SplitterOptions{FirstClauseChars: c.FirstClauseChars, MaxChars: c.MaxUnitChars, CodeNote: c.CodeNote}
	if opts.FirstClauseChars == 0 {
		opts.FirstClauseChars = -1
	}
	if opts.MaxChars == 0 {
		opts.MaxChars = -1
	}
	return func() pipeline.Splitter { return llm.NewSplitter(opts) }
}

// llmName says who answers, for the start-up notice.
func llmName(c config.LLM) string {
	switch c.Engine {
	case "offline":
		return "the offline responder"
	case "openai":
		return fmt.Sprintf("%s at %s", c.Model, c.BaseURL)
	}
	return fmt.Sprintf("%s at %s (the offline responder while it cannot be reached)", c.Model, c.BaseURL)
}
