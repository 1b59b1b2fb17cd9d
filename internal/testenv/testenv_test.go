package testenv_test

import (
	"net"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/alertkit/alertkit/internal/testenv"
)

func TestCommandPrefersTheEnvironment(t *testing.T) {
	t.Setenv("ALERTKIT_TESTENV_X", "/opt/x/bin/x")
	assert.Equal(t, "/opt/x/bin/x", testenv.Command(t, "ALERTKIT_TESTENV_X", "", "go"))
}

func TestCommandFindsOnPath(t *testing.T) {
	t.Setenv("ALERTKIT_TESTENV_X", "")
	p := testenv.Command(t, "ALERTKIT_TESTENV_X", "", "alertkit-no-such-program", "go")
	assert.Contains(t, p, "go")
}

func TestFreeAddrIsListenable(t *testing.T) {
	addr := testenv.FreeAddr(t)
	l, err := net.Listen("tcp", addr)
	require.NoError(t, err)
	l.Close()
}
