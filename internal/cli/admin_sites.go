package cli

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/ipassan-connector/ipassan-connector/internal/render"
)

// sitesOptions are the parsed flags of `sites` and what it runs with.
type sitesOptions struct {
	adminOptions
}

func newSitesCmd(g *globalOptions, io IOStreams) *cobra.Command {
	opts := &sitesOptions{newAdminOptions("sites", g, io)}
	cmd := &cobra.Command{
		Use:   "sites",
		Short: "List the bases and sites the API client sees, to find the siteId",
		Long: `Lists every base the API client may see and the sites in it, with their GUIDs: the siteId
the configuration needs. Needs clientId, clientSecret and baseUrl; siteId may be empty.`,
		Example: `  # Credentials from a flat configuration file, the secret from the environment
  export IPASSAN_CLIENT_SECRET='…'
  ipassan-connector sites --config ipassan.json

  # HelloID's configuration.json with the values given on the command line
  ipassan-connector sites --config configuration.json --set clientId=helloid --set baseUrl=https://ipassan.com

  # As JSON, for a script
  ipassan-connector sites --config ipassan.json --output json | jq -r '.[].sites[] | select(.siteName == "Hoofdlocatie") | .siteId'`,
		Args:    noArgs,
		PreRunE: func(cmd *cobra.Command, _ []string) error { return opts.checkConfig(cmd) },
		RunE:    func(cmd *cobra.Command, _ []string) error { return sitesRun(cmd.Context(), opts) },
	}
	opts.register(cmd, true)
	return cmd
}

// baseSites is one base with its sites, as `sites --output json` prints it.
type baseSites struct {
	BaseID          string     `json:"baseId"`
	BaseName        string     `json:"baseName"`
	BaseDisplayName string     `json:"baseDisplayName"`
	Sites           []siteInfo `json:"sites"`
}

type siteInfo struct {
	SiteID   string `json:"siteId"`
	SiteName string `json:"siteName"`
}

func sitesRun(ctx context.Context, opts *sitesOptions) error {
	s, conn, err := opts.open(false)
	defer s.close()
	if err != nil {
		return err
	}
	bases := []baseSites{}
	for b, err := range conn.Client.Bases(ctx) {
		if err != nil {
			return s.fail(err)
		}
		bs := baseSites{BaseID: b.UUID, BaseName: b.Name, BaseDisplayName: b.DisplayName, Sites: []siteInfo{}}
		for site, err := range conn.Client.Sites(ctx, b.UUID) {
			if err != nil {
				return s.fail(err)
			}
			bs.Sites = append(bs.Sites, siteInfo{SiteID: site.UUID, SiteName: site.Name})
		}
		bases = append(bases, bs)
	}
	if s.json {
		return s.printJSON(bases)
	}
	return s.printTable(sitesTable(bases, s.style))
}

// sitesTable has one row per site, the siteId last so it is easy to select.
func sitesTable(bases []baseSites, st render.Style) *render.Table {
	t := &render.Table{Header: []string{"BASE", "SITE", "SITE ID (siteId)"}}
	for _, b := range bases {
		name := b.BaseDisplayName
		if name == "" {
			name = b.BaseName
		}
		if len(b.Sites) == 0 {
			t.Add(render.Plain(name), render.Cell{Text: "(no sites)", Paint: st.Dim}, render.Plain(""))
		}
		for _, site := range b.Sites {
			t.Add(render.Plain(name), render.Plain(site.SiteName), render.Cell{Text: site.SiteID, Paint: st.Green})
		}
	}
	if t.Len() == 0 {
		t.Add(render.Cell{Text: "(the API client sees no bases)", Paint: st.Dim})
	}
	return t
}
