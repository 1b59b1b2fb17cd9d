package email_test

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"errors"
	"io"
	"math/big"
	"net"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alertkit/alertkit/notify/notifytest"
)

// The credentials the fake server accepts.
const (
	fakeUser     = "alertkit"
	fakePassword = "hunter2-c0rrect-h0rse"
)

// fakeOptions shape a fake SMTP server.
type fakeOptions struct {
	// implicitTLS: TLS from the first byte, as on port 465.
	implicitTLS bool
	// noSTARTTLS: STARTTLS is not offered.
	noSTARTTLS bool
	// noAuth: AUTH is not offered, and not required.
	noAuth bool
	// failAtData: Fail answers 451 to the end of DATA instead of to MAIL.
	failAtData bool
}

// fakeServer is an SMTP server that speaks enough of RFC 5321 for the
// sender — EHLO, STARTTLS, AUTH PLAIN, MAIL, RCPT, DATA, RSET, NOOP, QUIT
// — answers as its Behaviour says, records what it accepted, and reports
// through errorf whatever a client should not do: AUTH before STARTTLS,
// MAIL before AUTH, commands out of order or malformed, lines without CRLF
// or too long, 8-bit data that was not announced.
type fakeServer struct {
	opts      fakeOptions
	errorf    func(format string, args ...any)
	ln        net.Listener
	tlsConfig *tls.Config

	mu        sync.Mutex
	behaviour notifytest.Behaviour
	messages  []received
	commands  []string
	conns     map[net.Conn]bool
	closed    bool
	wg        sync.WaitGroup
	// hung receives when a session stops answering, as Hang says.
	hung chan struct{}
}

// received is a message the fake accepted.
type received struct {
	from string
	to   []string
	data []byte
	tls  bool
}

// newFake starts a fake server that reports to t, and stops it when the
// test ends.
func newFake(t *testing.T, opts fakeOptions) *fakeServer {
	t.Helper()
	f, err := startFake(t.Errorf, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(f.Close)
	return f
}

// startFake starts a fake server on 127.0.0.1.
func startFake(errorf func(format string, args ...any), opts fakeOptions) (*fakeServer, error) {
	c, err := testCert()
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	f := &fakeServer{
		opts: opts, errorf: errorf, ln: ln, conns: map[net.Conn]bool{}, hung: make(chan struct{}, 100),
		tlsConfig: &tls.Config{Certificates: []tls.Certificate{c.cert}, MinVersion: tls.VersionTLS12},
	}
	f.wg.Go(f.accept)
	return f, nil
}

// Addr is the server's "127.0.0.1:port".
func (f *fakeServer) Addr() string { return f.ln.Addr().String() }

// Close stops the server, closes its connections, and waits for them.
func (f *fakeServer) Close() {
	f.mu.Lock()
	f.closed = true
	for c := range f.conns {
		c.Close()
	}
	f.mu.Unlock()
	f.ln.Close()
	f.wg.Wait()
}

// Behave makes the server answer as b says. SMTP has no Retry-After, so
// it cannot throttle.
func (f *fakeServer) Behave(b notifytest.Behaviour) bool {
	if b == notifytest.Throttle {
		return false
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.behaviour = b
	return true
}

// Received counts the accepted messages.
func (f *fakeServer) Received() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.messages)
}

// Messages returns the accepted messages.
func (f *fakeServer) Messages() []received {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]received(nil), f.messages...)
}

// Commands returns the verbs of every command received, in order.
func (f *fakeServer) Commands() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.commands...)
}

func (f *fakeServer) accept() {
	for {
		conn, err := f.ln.Accept()
		if err != nil {
			return
		}
		f.mu.Lock()
		if f.closed {
			f.mu.Unlock()
			conn.Close()
			return
		}
		f.conns[conn] = true
		f.mu.Unlock()
		f.wg.Go(func() {
			defer func() {
				conn.Close()
				f.mu.Lock()
				delete(f.conns, conn)
				f.mu.Unlock()
			}()
			s := &session{f: f, conn: conn}
			s.run()
		})
	}
}

// session is one client's connection.
type session struct {
	f      *fakeServer
	conn   net.Conn
	r      *bufio.Reader
	tls    bool
	ehlo   bool
	authed bool
	// The transaction.
	from string
	rcpt []string
	mail bool
}

var (
	mailRE = regexp.MustCompile(`(?i)^FROM:<([^<>\s]*)>( [A-Z0-9-]+(=\S+)?)*$`)
	rcptRE = regexp.MustCompile(`(?i)^TO:<([^<>\s]+)>$`)
)

func (s *session) run() {
	if s.f.opts.implicitTLS {
		// No deadline: a client that gives up closes the connection, and
		// Close closes every connection, so the handshake cannot outlive
		// the test.
		tc := tls.Server(s.conn, s.f.tlsConfig)
		if err := tc.Handshake(); err != nil {
			return // the client gave up
		}
		s.conn, s.tls = tc, true
	}
	s.r = bufio.NewReader(s.conn)
	s.reply("220 fake.test ESMTP ready")
	for {
		line, err := s.readLine(512)
		if err != nil {
			return
		}
		verb, arg, _ := strings.Cut(line, " ")
		verb = strings.ToUpper(verb)
		s.f.mu.Lock()
		s.f.commands = append(s.f.commands, verb)
		behaviour := s.f.behaviour
		s.f.mu.Unlock()
		switch verb {
		case "EHLO":
			if arg == "" {
				s.f.errorf("EHLO without a name")
				s.reply("501 5.5.4 EHLO needs a name")
				continue
			}
			s.ehlo = true
			s.reset()
			lines := []string{"fake.test greets " + arg}
			if !s.tls && !s.f.opts.noSTARTTLS {
				lines = append(lines, "STARTTLS")
			}
			if !s.f.opts.noAuth {
				lines = append(lines, "AUTH PLAIN")
			}
			lines = append(lines, "SIZE 10485760")
			for i, l := range lines {
				sep := "-"
				if i == len(lines)-1 {
					sep = " "
				}
				s.reply("250" + sep + l)
			}
		case "HELO":
			s.f.errorf("HELO instead of EHLO")
			s.reply("250 fake.test")
			s.ehlo = true
		case "STARTTLS":
			switch {
			case !s.ehlo:
				s.f.errorf("STARTTLS before EHLO")
				s.reply("503 5.5.1 EHLO first")
			case s.tls || s.f.opts.noSTARTTLS:
				s.f.errorf("STARTTLS, which is not offered")
				s.reply("502 5.5.1 not offered")
			default:
				if s.r.Buffered() > 0 {
					s.f.errorf("commands pipelined after STARTTLS")
				}
				s.reply("220 2.0.0 ready to start TLS")
				tc := tls.Server(s.conn, s.f.tlsConfig)
				if err := tc.Handshake(); err != nil {
					return // the client gave up
				}
				s.conn, s.tls, s.r = tc, true, bufio.NewReader(tc)
				s.ehlo, s.authed = false, false // RFC 3207: forget what was said
				s.reset()
			}
		case "AUTH":
			if !s.auth(arg) {
				return
			}
		case "MAIL":
			m := mailRE.FindStringSubmatch(arg)
			switch {
			case !s.ehlo:
				s.f.errorf("MAIL before EHLO")
				s.reply("503 5.5.1 EHLO first")
			case !s.f.opts.noAuth && !s.authed:
				s.f.errorf("MAIL before AUTH")
				s.reply("530 5.7.0 authentication required")
			case s.mail:
				s.f.errorf("MAIL in a transaction")
				s.reply("503 5.5.1 nested MAIL")
			case m == nil:
				s.f.errorf("malformed MAIL %q", arg)
				s.reply("501 5.5.4 syntax: MAIL FROM:<address>")
			case behaviour == notifytest.Fail && !s.f.opts.failAtData:
				s.reply("451 4.3.0 temporary failure, try again later")
			case behaviour == notifytest.Hang:
				select {
				case s.f.hung <- struct{}{}:
				default:
				}
				io.Copy(io.Discard, s.r) // until the client goes away
				return
			default:
				s.mail, s.from = true, m[1]
				s.reply("250 2.1.0 sender ok")
			}
		case "RCPT":
			m := rcptRE.FindStringSubmatch(arg)
			switch {
			case !s.mail:
				s.f.errorf("RCPT before MAIL")
				s.reply("503 5.5.1 MAIL first")
			case m == nil:
				s.f.errorf("malformed RCPT %q", arg)
				s.reply("501 5.5.4 syntax: RCPT TO:<address>")
			case behaviour == notifytest.Refuse:
				s.reply("550 5.1.1 <" + m[1] + ">: mailbox unavailable")
			default:
				s.rcpt = append(s.rcpt, m[1])
				s.reply("250 2.1.5 recipient ok")
			}
		case "DATA":
			if len(s.rcpt) == 0 {
				s.f.errorf("DATA without RCPT")
				s.reply("503 5.5.1 RCPT first")
				continue
			}
			s.reply("354 end data with <CR><LF>.<CR><LF>")
			data, err := s.readData()
			if err != nil {
				return
			}
			if behaviour == notifytest.Fail && s.f.opts.failAtData {
				s.reply("451 4.3.0 temporary failure, try again later")
				s.reset()
				continue
			}
			s.f.mu.Lock()
			s.f.messages = append(s.f.messages, received{from: s.from, to: s.rcpt, data: data, tls: s.tls})
			id := len(s.f.messages)
			s.f.mu.Unlock()
			s.reply("250 2.0.0 queued as " + strconv.Itoa(id))
			s.reset()
		case "RSET":
			s.reset()
			s.reply("250 2.0.0 ok")
		case "NOOP":
			s.reply("250 2.0.0 ok")
		case "QUIT":
			s.reply("221 2.0.0 bye")
			return
		case "*": // net/smtp cancels a failed AUTH so
			s.reply("501 5.5.2 cancelled")
		default:
			s.f.errorf("unknown command %q", line)
			s.reply("500 5.5.2 unknown command")
		}
	}
}

// auth handles AUTH PLAIN, with or without an initial response; it
// returns false if the connection is lost.
func (s *session) auth(arg string) bool {
	mech, resp, _ := strings.Cut(arg, " ")
	switch {
	case !s.ehlo:
		s.f.errorf("AUTH before EHLO")
		s.reply("503 5.5.1 EHLO first")
		return true
	case s.f.opts.noAuth:
		s.f.errorf("AUTH, which is not offered")
		s.reply("502 5.5.1 not offered")
		return true
	case !s.tls && !s.f.opts.noSTARTTLS:
		s.f.errorf("AUTH before STARTTLS")
		s.reply("538 5.7.11 encryption required")
		return true
	case s.authed:
		s.f.errorf("AUTH twice")
		s.reply("503 5.5.1 already authenticated")
		return true
	case !strings.EqualFold(mech, "PLAIN"):
		s.f.errorf("AUTH %s, which is not offered", mech)
		s.reply("504 5.5.4 unrecognized mechanism")
		return true
	}
	if resp == "" {
		s.reply("334 ")
		line, err := s.readLine(12288)
		if err != nil {
			return false
		}
		resp = line
	}
	if resp == "*" {
		s.reply("501 5.5.2 cancelled")
		return true
	}
	b, err := base64.StdEncoding.DecodeString(resp)
	if err != nil {
		s.f.errorf("AUTH PLAIN: not base64")
		s.reply("501 5.5.2 cannot decode")
		return true
	}
	parts := strings.Split(string(b), "\x00")
	if len(parts) != 3 || parts[1] != fakeUser || parts[2] != fakePassword {
		s.reply("535 5.7.8 authentication credentials invalid")
		return true
	}
	s.authed = true
	s.reply("235 2.7.0 authentication successful")
	return true
}

func (s *session) reset() { s.mail, s.from, s.rcpt = false, "", nil }

func (s *session) reply(line string) {
	if _, err := io.WriteString(s.conn, line+"\r\n"); err != nil {
		return // the client went away; the next read ends the session
	}
}

// readLine reads a line that must end with CRLF and, with it, be at most
// limit bytes long; it returns the line without CRLF.
func (s *session) readLine(limit int) (string, error) {
	line, err := s.r.ReadString('\n')
	if err != nil {
		if line != "" && !errors.Is(err, net.ErrClosed) {
			s.f.errorf("an unfinished line %q", line)
		}
		return "", err
	}
	if !strings.HasSuffix(line, "\r\n") {
		s.f.errorf("a line ends without CRLF: %q", line)
	}
	if len(line) > limit {
		s.f.errorf("a line of %d bytes, more than %d", len(line), limit)
	}
	return strings.TrimRight(line, "\r\n"), nil
}

// readData reads the message up to the line ".", removing the dots that
// the client added to lines starting with one (RFC 5321 4.5.2). Lines
// must be at most 1000 bytes with CRLF, and 7-bit: the server does not
// offer 8BITMIME.
func (s *session) readData() ([]byte, error) {
	var data []byte
	for {
		line, err := s.readLine(1000)
		if err != nil {
			return nil, err
		}
		if line == "." {
			return data, nil
		}
		for i := 0; i < len(line); i++ {
			if line[i] >= 0x80 {
				s.f.errorf("8-bit data in %q", line)
				break
			}
		}
		line = strings.TrimPrefix(line, ".")
		data = append(data, line...)
		data = append(data, "\r\n"...)
	}
}

// certificate is the fake's self-signed certificate for 127.0.0.1, and a
// pool that trusts it.
type certificate struct {
	cert tls.Certificate
	pool *x509.CertPool
}

var testCert = sync.OnceValues(func() (*certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "fake.test"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames:              []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return &certificate{cert: tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool: pool}, nil
})
