package telegram

// Fit cuts a message in Telegram's HTML to limit characters, as Notify
// does, for the tests of cutting.
func Fit(s string, limit int, lossy bool) (string, error) {
	toks, err := tokenize(s)
	if err != nil {
		return "", err
	}
	return fit(s, toks, limit, lossy), nil
}
