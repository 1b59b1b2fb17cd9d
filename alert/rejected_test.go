package alert_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/alertkit/alertkit/alert"
)

func TestRejectedErrorText(t *testing.T) {
	rejections := func(n int) []alert.Rejection {
		var list []alert.Rejection
		for i := range n {
			list = append(list, alert.Rejection{Index: 2 * i, Err: &alert.FieldError{Path: fmt.Sprintf("[%d].labels", 2*i), Err: errors.New("empty")}})
		}
		return list
	}
	tests := []struct {
		name string
		err  *alert.RejectedError
		want string
	}{
		{
			name: "one",
			err:  &alert.RejectedError{Rejections: rejections(1), Total: 5},
			want: "1 of 5 alerts refused: [0].labels: empty",
		},
		{
			name: "ten are named",
			err:  &alert.RejectedError{Rejections: rejections(10), Total: 20},
			want: "10 of 20 alerts refused: [0].labels: empty; [2].labels: empty; [4].labels: empty; [6].labels: empty; [8].labels: empty; " +
				"[10].labels: empty; [12].labels: empty; [14].labels: empty; [16].labels: empty; [18].labels: empty",
		},
		{
			name: "the rest are counted",
			err:  &alert.RejectedError{Rejections: rejections(13), Total: 26},
			want: "13 of 26 alerts refused: [0].labels: empty; [2].labels: empty; [4].labels: empty; [6].labels: empty; [8].labels: empty; " +
				"[10].labels: empty; [12].labels: empty; [14].labels: empty; [16].labels: empty; [18].labels: empty; and 3 more",
		},
		{
			name: "a reason without a path gets the index",
			err:  &alert.RejectedError{Rejections: []alert.Rejection{{Index: 3, Err: errors.New("duplicate key")}}, Total: 4},
			want: "1 of 4 alerts refused: [3]: duplicate key",
		},
		{
			name: "a limit names its path",
			err:  &alert.RejectedError{Rejections: []alert.Rejection{{Index: 0, Err: &alert.LimitError{Path: "alerts[0].labels", Limit: 2, Unit: "labels"}}}, Total: 1},
			want: "1 of 1 alerts refused: alerts[0].labels: more than the limit of 2 labels",
		},
		{
			name: "no reason",
			err:  &alert.RejectedError{Rejections: []alert.Rejection{{Index: 1}}, Total: 2},
			want: "1 of 2 alerts refused: [1]: refused",
		},
		{
			name: "a long reason is cut at a character",
			err:  &alert.RejectedError{Rejections: []alert.Rejection{{Index: 0, Err: errors.New("x" + strings.Repeat("é", 300))}}, Total: 1},
			want: "1 of 1 alerts refused: [0]: x" + strings.Repeat("é", 125) + "...",
		},
		{
			name: "nothing",
			err:  &alert.RejectedError{Total: 3},
			want: "0 of 3 alerts refused",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.err.Error())
		})
	}
}

func TestRejected(t *testing.T) {
	full := errors.New("disk full")
	tests := []struct {
		name string
		errs []error
		want *alert.RejectedError // nil: Rejected returns nil
	}{
		{name: "no alerts"},
		{name: "all recorded", errs: make([]error, 3)},
		{
			name: "some not recorded",
			errs: []error{nil, full, nil, full},
			want: &alert.RejectedError{Rejections: []alert.Rejection{{Index: 1, Err: full}, {Index: 3, Err: full}}, Total: 4},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := alert.Rejected(tt.errs)
			if tt.want == nil {
				require.NoError(t, err, "a nil error, not a nil *RejectedError")
				return
			}
			var rej *alert.RejectedError
			require.ErrorAs(t, err, &rej)
			assert.Equal(t, tt.want, rej)
		})
	}
}

// TestRejectedErrorDoesNotUnwrap: a RejectedError is not mistaken for the
// refusal of the payload as a whole.
func TestRejectedErrorDoesNotUnwrap(t *testing.T) {
	_, err := alert.DecodePrometheus(strings.NewReader(`[{"labels":{"a":"1","b":"2"}},{"labels":{"a":"1"}}]`),
		&alert.DecodeOptions{MaxLabels: 1})
	var rej *alert.RejectedError
	require.ErrorAs(t, err, &rej)
	var le *alert.LimitError
	assert.False(t, errors.As(err, &le))
	assert.True(t, errors.As(rej.Rejections[0].Err, &le))
}
