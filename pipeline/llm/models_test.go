package llm_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"parley/pipeline/llm"
)

// modelsServer answers GET /v1/models with body and counts the requests.
func modelsServer(t *testing.T, status int, body string) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || r.URL.Path != "/v1/models" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		fmt.Fprint(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/v1"
}

func TestOpenAIModels(t *testing.T) {
	url := modelsServer(t, http.StatusOK, `{"object":"list","data":[
		{"id":"qwen2.5:7b","object":"model","created":1,"owned_by":"library"},
		{"id":"llama3.2","object":"model","created":2,"owned_by":"library"},
		{"id":"llama3.2","object":"model","created":2,"owned_by":"library"},
		{"id":" ","object":"model","created":3,"owned_by":"library"}]}`)
	got, err := newClient(t, url, nil).Models(context.Background())
	if err != nil {
		t.Fatalf("Models: %v", err)
	}
	if want := []string{"llama3.2", "qwen2.5:7b"}; !slices.Equal(got, want) {
		t.Errorf("Models = %q, want %q", got, want)
	}
}

func TestOpenAIModelsFailures(t *testing.T) {
	tests := []struct {
		name string
		url  string
		want error
	}{
		{"empty list", modelsServer(t, http.StatusOK, `{"object":"list","data":[]}`), llm.ErrNoModels},
		{"server error", modelsServer(t, http.StatusInternalServerError, `{"error":{"message":"boom"}}`), llm.ErrServer},
		{"closed port", closedURL(t), llm.ErrUnreachable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := newClient(t, tt.url, nil).Models(context.Background())
			if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), "llm server ") {
				t.Errorf("Models: %v, want %v naming the server", err, tt.want)
			}
		})
	}
}

// TestOpenAISetModel: the next request asks for the new model, and the
// client names it.
func TestOpenAISetModel(t *testing.T) {
	srv := newFakeLLM(t, stream("Hi."))
	c := newClient(t, srv.baseURL(), nil)
	if err := c.SetModel("  "); !errors.Is(err, llm.ErrNoModel) {
		t.Errorf("SetModel(blank) = %v, want ErrNoModel", err)
	}
	if err := c.SetModel("other-model"); err != nil {
		t.Fatal(err)
	}
	r, err := c.Respond(context.Background(), userSays("hello"))
	if err != nil {
		t.Fatalf("Respond: %v", err)
	}
	r.Close()
	if got := srv.request(0).Model; got != "other-model" || c.Name() != "other-model" {
		t.Errorf("request asked for %q, Name %q; want other-model", got, c.Name())
	}
}
