package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ipassan-connector/ipassan-connector/internal/ipassan/fake"
)

// On a terminal, where the answer and the log share the screen, the answer
// comes first and the "action finished" line ends it.
func TestOnATerminalTheAnswerComesBeforeTheLastLogLine(t *testing.T) {
	t.Parallel()
	_, url := startFake(t, fake.Person{UUID: "emp-1", Lastname: "Bos"})
	var screen bytes.Buffer
	io := IOStreams{In: strings.NewReader(contextJSON(t, url, m{"References": m{"Account": "emp-1"}})), Out: &screen, ErrOut: &screen,
		OutIsTerminal: true, ErrIsTerminal: true, LookupEnv: func(string) (string, bool) { return "", false }}
	code := Main(context.Background(), []string{"disable"}, io)
	require.Equal(t, 0, code, screen.String())
	text := screen.String()
	answer, finished := strings.Index(text, "DisableAccount"), strings.Index(text, "action finished")
	require.True(t, answer >= 0 && finished >= 0, text)
	assert.Less(t, answer, finished, "the answer first: %s", text)
}
