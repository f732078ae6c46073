package config

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ipassan-connector/ipassan-connector/internal/repotest"
)

// configuration.json is the form admins import into HelloID; it must offer
// exactly the keys this package reads, with the secret masked and the
// defaults the binary uses.
func TestConfigurationFormMatchesTheKeys(t *testing.T) {
	var form []struct {
		Key             string `json:"key"`
		Type            string `json:"type"`
		DefaultValue    any    `json:"defaultValue"`
		TemplateOptions struct {
			Label, Description, Type string
			Required                 bool
			Options                  []struct{ Value, Label string }
		} `json:"templateOptions"`
	}
	require.NoError(t, json.Unmarshal(repotest.Read(t, "configuration.json"), &form))

	keys := []string{KeyClientID, KeyClientSecret, KeyBaseURL, KeySiteID, KeyMappingPath, KeyMapping, KeyAccessProfileSource,
		KeyConnectorPath, KeyPageSize, KeyConcurrency, KeyActionTimeout, KeyRequestTimeout, KeyPermissionAccessType,
		KeyRetryCount, KeyRetryBackoff, KeyCABundlePath, KeyIncludeSiteProfiles, KeyContractLookupPath, KeyImportTimeout,
		KeyImportCorrelation, KeySiteIndexMaxAge, KeySiteIndexPath}
	required := map[string]bool{KeyClientID: true, KeyClientSecret: true, KeyBaseURL: true, KeySiteID: true, KeyConnectorPath: true}
	defaults := map[string]string{KeyPageSize: "500", KeyConcurrency: "16", KeyActionTimeout: "25", KeyRequestTimeout: "10",
		KeyAccessProfileSource: "lifecycle", KeyPermissionAccessType: "doorPermanent",
		KeyRetryCount: "3", KeyRetryBackoff: "500", KeyContractLookupPath: "Title.Name", KeyImportTimeout: "85",
		KeyImportCorrelation: "number", KeySiteIndexMaxAge: "600"}

	seen := map[string]bool{}
	for _, f := range form {
		assert.Contains(t, keys, f.Key, "the form offers a key the binary ignores")
		assert.False(t, seen[f.Key], "key %s twice", f.Key)
		seen[f.Key] = true
		assert.Contains(t, []string{"input", "checkbox", "select", "radio"}, f.Type, f.Key)
		assert.NotEmpty(t, f.TemplateOptions.Label, f.Key)
		assert.NotEmpty(t, f.TemplateOptions.Description, f.Key)
		assert.Equal(t, required[f.Key], f.TemplateOptions.Required, f.Key)
		if want, ok := defaults[f.Key]; ok {
			assert.Equal(t, want, f.DefaultValue, f.Key)
		}
		if f.Type == "select" {
			assert.NotEmpty(t, f.TemplateOptions.Options, f.Key)
		}
	}
	for _, k := range keys {
		assert.True(t, seen[k], "configuration.json lacks %s", k)
	}
	for _, f := range form {
		if f.Key == KeyClientSecret {
			assert.Equal(t, "password", f.TemplateOptions.Type, "the secret is masked in the form")
		}
	}
}
