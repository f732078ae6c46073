package ipassan

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/go-resty/resty/v2"
)

// redirectMessage explains a 3xx: where it pointed, that the connector does
// not follow it, and what to set baseUrl to if that place is right. The
// address is masked like any text from the server.
func (c *Client) redirectMessage(resp *resty.Response) string {
	loc := resp.Header().Get("Location")
	if strings.TrimSpace(loc) == "" {
		return "IPassan answered with a redirect that names no Location; the connector does not follow redirects: check baseUrl"
	}
	target, err := url.Parse(strings.TrimSpace(loc))
	if err == nil && resp.RawResponse != nil && resp.RawResponse.Request != nil {
		target = resp.RawResponse.Request.URL.ResolveReference(target)
	}
	if err != nil || target.Host == "" || (target.Scheme != "https" && target.Scheme != "http") {
		return fmt.Sprintf("IPassan redirects to %s, which the connector does not follow: check baseUrl",
			clip(c.opts.Redactor.Redact(loc)))
	}
	shown := clip(c.opts.Redactor.Redact(target.Redacted()))
	return fmt.Sprintf("IPassan redirects to %s, which the connector does not follow (it sends nothing anywhere but baseUrl); "+
		"if IPassan now lives there, set baseUrl to %s", shown, clip(c.opts.Redactor.Redact(suggestedBase(target))))
}

// suggestedBase is the baseUrl a redirect target implies: its scheme and
// host, and the path before /api/v1 when it has one.
func suggestedBase(target *url.URL) string {
	base := url.URL{Scheme: target.Scheme, Host: target.Host}
	if i := strings.Index(target.Path, APIPrefix+"/"); i >= 0 {
		base.Path = target.Path[:i]
	} else if strings.HasSuffix(target.Path, APIPrefix) {
		base.Path = strings.TrimSuffix(target.Path, APIPrefix)
	}
	return base.String()
}
