package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/BurntSushi/toml"
)

// Locations says where to look for a user configuration file.
type Locations struct {
	// Explicit is the --config flag; when set, the file must exist.
	Explicit string
	// WorkDir is searched for parley.toml.
	WorkDir string
	// ConfigHome is $XDG_CONFIG_HOME (or ~/.config); parley/config.toml is searched there.
	ConfigHome string
}

// DefaultLocations returns the locations for the current process.
func DefaultLocations(explicit string) Locations {
	wd, _ := os.Getwd()
	home := os.Getenv("XDG_CONFIG_HOME")
	if home == "" {
		if h, err := os.UserHomeDir(); err == nil {
			home = filepath.Join(h, ".config")
		}
	}
	return Locations{Explicit: explicit, WorkDir: wd, ConfigHome: home}
}

// Loaded is a validated configuration and where it came from.
type Loaded struct {
	// Config is the merged, validated configuration.
	Config Config
	// File is the user file applied over the defaults ("" when none).
	File string
}

// Load decodes the embedded defaults, applies the first user file found in
// loc over them key by key, and validates the result.
func Load(defaults []byte, loc Locations) (Loaded, error) {
	var cfg Config
	if _, err := decode(string(defaults), "embedded defaults", &cfg); err != nil {
		return Loaded{}, err
	}
	file, err := userFile(loc)
	if err != nil {
		return Loaded{}, err
	}
	written := keySet{}
	if file != "" {
		data, err := os.ReadFile(file)
		if err != nil {
			return Loaded{}, fmt.Errorf("config: read %s: %w", file, err)
		}
		if written, err = decode(string(data), file, &cfg); err != nil {
			return Loaded{}, err
		}
	}
	if err := cfg.validate(written); err != nil {
		return Loaded{}, fmt.Errorf("config %s: %w", sourceName(file), err)
	}
	return Loaded{Config: cfg, File: file}, nil
}

// Parse decodes one TOML document over defaults and validates it; it is Load
// without the file search, for tests and tools.
func Parse(defaults []byte, doc, name string) (Config, error) {
	var cfg Config
	if _, err := decode(string(defaults), "embedded defaults", &cfg); err != nil {
		return Config{}, err
	}
	written, err := decode(doc, name, &cfg)
	if err != nil {
		return Config{}, err
	}
	if err := cfg.validate(written); err != nil {
		return Config{}, fmt.Errorf("config %s: %w", name, err)
	}
	return cfg, nil
}

func sourceName(file string) string {
	if file == "" {
		return "defaults"
	}
	return file
}

func userFile(loc Locations) (string, error) {
	if loc.Explicit != "" {
		if _, err := os.Stat(loc.Explicit); err != nil {
			return "", fmt.Errorf("config: --config %s: %w", loc.Explicit, err)
		}
		return loc.Explicit, nil
	}
	var candidates []string
	if loc.WorkDir != "" {
		candidates = append(candidates, filepath.Join(loc.WorkDir, "parley.toml"))
	}
	if loc.ConfigHome != "" {
		candidates = append(candidates, filepath.Join(loc.ConfigHome, "parley", "config.toml"))
	}
	for _, c := range candidates {
		if _, err := os.Stat(c); err == nil {
			return c, nil
		}
	}
	return "", nil
}

var lastKeyPattern = regexp.MustCompile(`\(last key "([^"]+)"\): (.*)$`)

// decode applies doc over cfg, rejects keys that Config does not have, and
// returns the keys doc set.
func decode(doc, name string, cfg *Config) (keySet, error) {
	md, err := toml.Decode(doc, cfg)
	if err != nil {
		return nil, fmt.Errorf("config %s: %w", name, describeDecodeError(err))
	}
	if undecoded := md.Undecoded(); len(undecoded) > 0 {
		keys := make([]string, 0, len(undecoded))
		for _, k := range undecoded {
			if !isUIKey(k) {
				keys = append(keys, k.String())
			}
		}
		if len(keys) > 0 {
			return nil, fmt.Errorf("config %s: %w: %s", name, ErrUnknownKey, strings.Join(keys, ", "))
		}
	}
	written := keySet{}
	for _, k := range md.Keys() {
		written[k.String()] = true
	}
	return written, nil
}

// isUIKey reports keys below ui.keys: they are validated by the ui keymap.
func isUIKey(k toml.Key) bool {
	return len(k) > 2 && k[0] == "ui" && k[1] == "keys"
}

// describeDecodeError turns the TOML library's message into "key: problem".
func describeDecodeError(err error) error {
	var pe toml.ParseError
	if errors.As(err, &pe) {
		if pe.LastKey != "" {
			return fmt.Errorf("%s (line %d): %s: %w", pe.LastKey, pe.Position.Line, pe.Message, ErrInvalidValue)
		}
		return fmt.Errorf("line %d: %s: %w", pe.Position.Line, pe.Message, ErrSyntax)
	}
	m := lastKeyPattern.FindStringSubmatch(err.Error())
	if m == nil {
		return err
	}
	problem := strings.Replace(m[2], "incompatible types: TOML value has type", "wrong type: value is", 1)
	problem = strings.Replace(problem, "destination has type", "want", 1)
	return fmt.Errorf("%s: %s: %w", m[1], problem, ErrWrongType)
}
