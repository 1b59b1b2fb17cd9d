package email

import (
	"bytes"
	"io"
	"maps"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"slices"
	"strings"
	"testing"

	"github.com/alertkit/alertkit/notify"
	"github.com/alertkit/alertkit/notify/notifytest"
)

// FuzzCompose checks that no notification content breaks a message out of
// its form: CRLF lines of at most 998 7-bit characters, the header fields
// the sender writes and no others, a one-line subject, two parts that
// carry the text.
func FuzzCompose(f *testing.F) {
	f.Add("a new incident", "TargetDown in horns-and-hooves", "01KAV7Z1S4X7B2WQ5AR6KF/escalate/2", "Target is down")
	f.Add(".\r\n..\r\n.", "x\r\nBcc: evil@example.com", "k\r\nBcc: evil@example.com\r\n\r\nbody", "\x00\xff\xfe")
	f.Add(strings.Repeat("Цель недоступна ", 100), strings.Repeat("目标不可用", 300), strings.Repeat("k", 300), "=?utf-8?q?=41?=")
	f.Add("--alertkit-", "\t\v\f", "\r", "\n")
	s, err := New(&Config{Smarthost: "smtp.example.com:587", From: "Alertkit <alertkit@example.com>", To: []string{"ops@example.com"}}, nil)
	if err != nil {
		f.Fatal(err)
	}
	want := []string{"Auto-Submitted", "Content-Type", "Date", "From", "In-Reply-To", "Message-Id", "Mime-Version", "References", "Subject", "To", HeaderKey}
	f.Fuzz(func(t *testing.T, note, title, key, label string) {
		n := notifytest.Sample(notify.ReasonEscalation)
		n.Note, n.Incident.Title, n.Key = note, title, key
		n.Incident.Summary[1].Values = []string{label, "10.244.37.15:9403"}
		n.Incident.Owner = label
		msg, err := s.compose(n, s.to)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(strings.TrimSuffix(string(msg), "\r\n"), "\r\n") {
			if strings.ContainsAny(line, "\r\n") || len(line) > 998 {
				t.Fatalf("line %d: %q", i+1, line)
			}
			for j := 0; j < len(line); j++ {
				if line[j] >= 0x80 {
					t.Fatalf("line %d is not 7-bit: %q", i+1, line)
				}
			}
		}
		m, err := mail.ReadMessage(bytes.NewReader(msg))
		if err != nil {
			t.Fatal(err)
		}
		if got := slices.Sorted(maps.Keys(m.Header)); !slices.Equal(got, want) {
			t.Fatalf("header fields %v, want %v", got, want)
		}
		subject, err := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
		if err != nil {
			t.Fatal(err)
		}
		if strings.ContainsAny(subject, "\r\n") {
			t.Errorf("subject %q", subject)
		}
		if !strings.Contains(title, "=?") {
			wantSubject := notify.Truncate(strings.Join(strings.Fields(strings.ToValidUTF8("[OPEN] S2 "+title, "\uFFFD")), " "), maxSubject)
			if subject != wantSubject {
				t.Errorf("subject %q, want %q", subject, wantSubject)
			}
		}
		gotKey, err := new(mime.WordDecoder).DecodeHeader(m.Header.Get(HeaderKey))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(key, "=?") && strings.TrimSpace(key) == key && gotKey != key {
			t.Errorf("key %q, want %q", gotKey, key)
		}
		_, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
		if err != nil {
			t.Fatal(err)
		}
		mr := multipart.NewReader(m.Body, params["boundary"])
		var parts []string
		for {
			p, err := mr.NextRawPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			b, err := io.ReadAll(quotedprintable.NewReader(p))
			if err != nil {
				t.Fatal(err)
			}
			parts = append(parts, strings.ReplaceAll(string(b), "\r\n", "\n"))
		}
		if len(parts) != 2 {
			t.Fatalf("%d parts", len(parts))
		}
		if !strings.Contains(parts[0], body(note)) {
			t.Errorf("the text part does not show the note %q", note)
		}
	})
}

func TestWriteHeader(t *testing.T) {
	tests := []struct{ name, value, want string }{
		{"Subject", "short", "Subject: short\r\n"},
		{"Subject", "", "Subject: \r\n"},
		{"Subject", strings.Repeat("word ", 20) + "end", "Subject: word word word word word word word word word word word word word word\r\n word word word word word word end\r\n"},
		{"X-Long", strings.Repeat("x", 100), "X-Long: " + strings.Repeat("x", 100) + "\r\n"},
		{"X-Spaces", "a  b ", "X-Spaces: a  b \r\n"},
	}
	for _, tt := range tests {
		var b bytes.Buffer
		writeHeader(&b, tt.name, tt.value)
		if b.String() != tt.want {
			t.Errorf("writeHeader(%q, %q) = %q, want %q", tt.name, tt.value, b.String(), tt.want)
		}
	}
}
