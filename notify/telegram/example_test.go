package telegram_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/alertkit/alertkit/notify"
	"github.com/alertkit/alertkit/notify/notifytest"
	"github.com/alertkit/alertkit/notify/telegram"
)

func Example() {
	// A stand-in for api.telegram.org that prints what it receives.
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m struct {
			ChatID    int64  `json:"chat_id"`
			ThreadID  int    `json:"message_thread_id"`
			ParseMode string `json:"parse_mode"`
			Text      string `json:"text"`
		}
		body, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(body, &m)
		fmt.Println(r.Method, strings.Replace(r.URL.Path, "AAE-your-bots-token", "…", 1))
		fmt.Println("chat", m.ChatID, "topic", m.ThreadID, m.ParseMode)
		fmt.Println(m.Text)
		_, _ = io.WriteString(w, `{"ok":true,"result":{"message_id":7}}`)
	}))
	defer api.Close()

	s, err := telegram.New(&telegram.Config{
		Token:           "123456789:AAE-your-bots-token",
		ChatID:          "-1001234567890",
		MessageThreadID: 42,
		APIURL:          api.URL, // empty for api.telegram.org
	}, nil)
	if err != nil {
		panic(err)
	}
	if err := s.Notify(context.Background(), notifytest.Sample(notify.ReasonResolved)); err != nil {
		fmt.Println(err)
	}
	// Output:
	// POST /bot123456789:…/sendMessage
	// chat -1001234567890 topic 42 HTML
	// ✅ <b>S2 · TargetDown in horns-and-hooves</b>
	// <i>all alerts resolved</i>
	//
	// Status: <b>resolved</b> · Severity: <b>S2</b> · Service level: <b>gold</b>
	// Alerts: <b>3</b> (all resolved) · Lasted <b>8m</b> · Owner: <b>vasiliy.vasiliyev</b>
	//
	// trigger: <code>TargetDown</code>
	// instance: <code>10.244.37.14:9403, 10.244.37.15:9403, 10.244.37.16:9403</code>
	// job: <code>checkout &lt;b&gt;&amp;amp;&lt;/b&gt; &#34;payments&#34;</code>
	// namespace: <code>horns-and-hooves</code>
	//
	// • Target 10.244.37.14:9403 is down — &lt;script&gt;alert(1)&lt;/script&gt; @channel
	//
	// 📖 <a href="https://runbooks.example.com/target-down">Targets are down</a>
	// 🔗 <a href="https://alerts.example.com/incidents/01KAV7Z1S4X7B2WQ5AR6KF">Incident 01KAV7Z1S4X7B2WQ5AR6KF</a>
}
