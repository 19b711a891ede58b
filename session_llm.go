package main

import (
	"context"
	"fmt"

	"parley/pipeline"
	"parley/pipeline/llm"
)

// openLLM builds the answer stage from llm.engine: the OpenAI-compatible
// server (with the offline responder standing in while it cannot be
// reached, for "auto"), or the offline responder alone.
func (s *session) openLLM(context.Context, options) error {
	offline := llm.NewOffline(llm.OfflineOptions{})
	c := s.cfg.LLM
	if c.Engine == "offline" {
		s.llm = offline
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
		s.llm = client
		return nil
	}
	fallback := llm.NewFallback(client, offline, llm.FallbackOptions{
		CheckInterval: c.CheckInterval.Duration, Probe: client.Probe, OnChange: s.llmChanged,
	})
	s.llm, s.llmWatch = fallback, fallback.Watch
	return nil
}

// llmChanged tells the user when the LLM server goes away or comes back.
func (s *session) llmChanged(online bool, reason string) {
	msg := fmt.Sprintf("LLM online: %s at %s", s.cfg.LLM.Model, s.cfg.LLM.BaseURL)
	if !online {
		msg = "LLM offline, the offline responder answers: " + reason
	}
	if s.pipe != nil {
		s.pipe.Notify(msg)
	}
}

// newSplitter cuts replies into speakable units as configured.
func (s *session) newSplitter() pipeline.Splitter {
	c := s.cfg.Conversation
	opts := llm.SplitterOptions{FirstClauseChars: c.FirstClauseChars, MaxChars: c.MaxUnitChars, CodeNote: c.CodeNote}
	if opts.FirstClauseChars == 0 {
		opts.FirstClauseChars = -1
	}
	if opts.MaxChars == 0 {
		opts.MaxChars = -1
	}
	return llm.NewSplitter(opts)
}

// llmName says who answers, for the start-up notice.
func (s *session) llmName() string {
	c := s.cfg.LLM
	switch c.Engine {
	case "offline":
		return "the offline responder"
	case "openai":
		return fmt.Sprintf("%s at %s", c.Model, c.BaseURL)
	}
	return fmt.Sprintf("%s at %s (the offline responder while it cannot be reached)", c.Model, c.BaseURL)
}
