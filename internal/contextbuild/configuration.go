package contextbuild

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"

	"github.com/ipassan-connector/ipassan-connector/internal/config"
	"github.com/ipassan-connector/ipassan-connector/internal/helloid"
	"github.com/ipassan-connector/ipassan-connector/internal/object"
	"github.com/ipassan-connector/ipassan-connector/internal/textenc"
)

// EnvClientSecret names the environment variable that may hold the client
// secret, so that it need not be written into a file or onto a command line
// (where the shell's history and the process list would keep it).
const EnvClientSecret = "IPASSAN_CLIENT_SECRET"

// ConfigSources say where a Configuration comes from. Layers apply in this
// order, a later one winning key by key (keys match without regard to case):
// the files in order, then EnvSecret as clientSecret, then Sets.
type ConfigSources struct {
	// Files are HelloID configuration.json forms (their defaultValues) or flat
	// {key: value} objects.
	Files []string
	// EnvSecret is the value of IPASSAN_CLIENT_SECRET; "" when unset.
	EnvSecret string
	// Sets are "key=value" overrides, the value taken as text.
	Sets []string
}

// Given reports whether any source was named; EnvSecret alone is not a
// configuration.
func (s ConfigSources) Given() bool { return len(s.Files) > 0 || len(s.Sets) > 0 }

// LoadConfiguration merges the sources into one Configuration object.
func LoadConfiguration(src ConfigSources) (*object.Object, error) {
	cfg := object.New()
	for _, path := range src.Files {
		layer, err := LoadConfigurationFile(path)
		if err != nil {
			return nil, err
		}
		layer.Each(cfg.Set)
	}
	if src.EnvSecret != "" {
		cfg.Set(config.KeyClientSecret, src.EnvSecret)
	}
	for _, set := range src.Sets {
		key, value, err := ParseSet(set)
		if err != nil {
			return nil, err
		}
		cfg.Set(key, value)
	}
	return cfg, nil
}

// ParseSet splits one "key=value" override. Only the key is ever repeated in
// a message: the value may be a secret.
func ParseSet(set string) (key, value string, err error) {
	key, value, found := strings.Cut(set, "=")
	key = strings.TrimSpace(key)
	switch {
	case !found && key != "":
		return "", "", fmt.Errorf("configuration override %s has no value: write key=value", textenc.Quote(key))
	case key == "":
		return "", "", errors.New("a configuration override has no key: write key=value")
	}
	return key, value, nil
}

// LoadConfigurationFile reads one configuration file.
func LoadConfigurationFile(path string) (*object.Object, error) {
	raw, err := readFile("configuration", path)
	if err != nil {
		return nil, err
	}
	cfg, err := ParseConfiguration(raw)
	if err != nil {
		return nil, fmt.Errorf("configuration file %s: %w", QuotePath(path), err)
	}
	return cfg, nil
}

// ParseConfiguration reads either form a configuration comes in:
//   - HelloID's configuration.json, a form definition: a list of {key, type,
//     defaultValue, templateOptions}; each entry gives its defaultValue (an
//     entry without one gives nothing, so a later layer or the connector's
//     default applies);
//   - a flat object {key: value}, what HelloID passes as
//     actionContext.Configuration.
func ParseConfiguration(raw []byte) (*object.Object, error) {
	text, err := textenc.ToUTF8(raw)
	if err != nil {
		return nil, err
	}
	v, err := object.Decode(text)
	if err != nil {
		return nil, err
	}
	switch t := v.(type) {
	case []any:
		return fromForm(t)
	case *object.Object:
		if t.Has("actionContext") {
			return nil, errors.New("this is a whole HelloID context, not a configuration; pass it as the context instead")
		}
		return t, nil
	}
	return nil, fmt.Errorf("expected HelloID's form (a list of {key, defaultValue}) or an object of key: value, got %s", object.Kind(v))
}

// fromForm takes the defaultValues of a configuration.json form.
func fromForm(entries []any) (*object.Object, error) {
	cfg := object.New()
	for i, e := range entries {
		field, ok := e.(*object.Object)
		if !ok {
			return nil, fmt.Errorf("form entry %d is %s, expected {key, defaultValue}", i+1, object.Kind(e))
		}
		keyValue, _ := field.Get("key")
		key, ok := keyValue.(string)
		if !ok || strings.TrimSpace(key) == "" {
			return nil, fmt.Errorf("form entry %d has no key", i+1)
		}
		if value, ok := field.Get("defaultValue"); ok {
			cfg.Set(strings.TrimSpace(key), value)
		}
	}
	return cfg, nil
}

// readFile reads a file an admin named, bounded like a context on standard
// input, saying which kind of file is missing.
func readFile(what, path string) ([]byte, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s file %s does not exist", what, QuotePath(path))
	}
	if err != nil {
		return nil, fmt.Errorf("%s file %s cannot be read: %w", what, QuotePath(path), err)
	}
	defer f.Close()
	raw, err := io.ReadAll(io.LimitReader(f, helloid.MaxContextBytes+1))
	switch {
	case err != nil:
		return nil, fmt.Errorf("%s file %s cannot be read: %w", what, QuotePath(path), err)
	case len(raw) > helloid.MaxContextBytes:
		return nil, fmt.Errorf("%s file %s is larger than %d MB", what, QuotePath(path), helloid.MaxContextBytes/1_000_000)
	}
	return raw, nil
}
