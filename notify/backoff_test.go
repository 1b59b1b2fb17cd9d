package notify_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/alertkit/alertkit/notify"
)

func TestBackoffDelay(t *testing.T) {
	p := notify.Backoff{Min: time.Second, Max: time.Minute}
	tests := []struct {
		n      int
		r      float64
		want   time.Duration
		reason string
	}{
		{1, 0, 500 * time.Millisecond, "half the first step at least"},
		{1, 0.999999, 999999500 * time.Nanosecond, "less than the step"},
		{2, 0.5, 1500 * time.Millisecond, "doubles"},
		{4, 0, 4 * time.Second, "8s step"},
		{7, 0, 30 * time.Second, "capped at Max"},
		{1000, 1, time.Minute, "no overflow"},
		{0, 0, 500 * time.Millisecond, "attempt 0 is the first"},
		{3, -4, 2 * time.Second, "r clamped"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d/%v", tt.n, tt.r), func(t *testing.T) {
			assert.Equal(t, tt.want, p.Delay(tt.n, tt.r), tt.reason)
		})
	}
	assert.Equal(t, 500*time.Millisecond, notify.Backoff{}.Delay(1, 0), "zero Backoff: 1s steps")
}

func ExampleBackoff_Delay() {
	p := notify.Backoff{Min: time.Second, Max: 5 * time.Minute}
	for n := 1; n <= 10; n++ {
		fmt.Print(p.Delay(n, 0), " ")
	}
	fmt.Println()
	// Output:
	// 500ms 1s 2s 4s 8s 16s 32s 1m4s 2m8s 2m30s
}
