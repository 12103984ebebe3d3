// Package fetch is the one HTTP client for everything newsdesk fetches from
// elsewhere: feeds, `newsdesk import URL` and remote images.
//
// A Client is guarded:
//   - http and https only, on the first request and on every redirect;
//   - at most 5 redirects;
//   - a connect timeout (10 s), a response-header timeout (15 s) and a
//     total timeout covering the body (Options.Timeout, default 30 s);
//   - a body cap (Options.MaxBytes, default 20 MB) counted on the
//     decompressed body, so a small gzip bomb is refused like a large body;
//   - no addresses that are not public: loopback, private (RFC 1918,
//     fc00::/7), link-local (169.254/16, fe80::/10), shared CGNAT
//     (100.64/10), multicast, unspecified, reserved, and IPv4 addresses
//     hidden in IPv6 (::ffff:a.b.c.d, 64:ff9b::/96) are refused unless
//     Options.AllowPrivate. The check runs in the dialer's Control function,
//     on the address actually being connected after DNS resolution, for every
//     connection of every hop: a host name that resolves (or re-resolves) to
//     127.0.0.1 and a redirect to 10.0.0.1 are refused alike;
//   - no proxy from the environment (the check must see the real peer).
//
// Every HTTP status is a Response, not an error: a 304, a 429 with its
// Retry-After and a 500 all come back with their headers, so a poller can
// decide what to do. Errors are sentences a user can act on:
// "refused: 127.0.0.1 is a loopback address", "body larger than 20 MB",
// "too many redirects (more than 5)", "no answer within 30s".
package fetch

import (
	"compress/gzip"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"
)

// Defaults for zero Options fields, and the fixed limits.
const (
	DefaultMaxBytes  = 20 << 20
	DefaultTimeout   = 30 * time.Second
	DefaultUserAgent = "newsdesk (news site; fetches feeds and images)"
	MaxRedirects     = 5

	connectTimeout = 10 * time.Second
	headerTimeout  = 15 * time.Second
)

// Options configure a Client. The zero value is a guarded client with the
// defaults above.
type Options struct {
	// AllowPrivate lets the client connect to loopback, private and other
	// non-public addresses: for tests and intranet feeds
	// (--allow-private-fetch).
	AllowPrivate bool
	// MaxBytes caps the decompressed body; default 20 MB.
	MaxBytes int64
	// Timeout bounds a whole Get, redirects and body included; default 30 s.
	Timeout time.Duration
	// UserAgent is sent with every request; default DefaultUserAgent.
	UserAgent string
}

// Response is what a Get brought back.
type Response struct {
	URL    string // the final URL, after redirects
	Status int
	Header http.Header // Content-Encoding and Content-Length removed once decoded
	Body   []byte      // decompressed
}

// Client is a guarded HTTP client; it is safe for concurrent use.
type Client struct {
	opts Options
	http *http.Client
	// permit, when set, allows addresses the public-address rule would
	// refuse (tests use it to allow exactly one server on 127.0.0.1).
	permit func(netip.AddrPort) bool
}

// RefusedError says why the client would not connect to an address.
type RefusedError struct {
	Host string     // the host name asked for, when known
	Addr netip.Addr // the address it resolved to
	Kind string     // "a loopback address", "a private address", …
}

func (e *RefusedError) Error() string {
	if ip, err := netip.ParseAddr(e.Host); e.Host != "" && (err != nil || ip.Unmap().WithZone("") != e.Addr) {
		return fmt.Sprintf("refused: %s resolves to %s, %s", e.Host, e.Addr, e.Kind)
	}
	return fmt.Sprintf("refused: %s is %s", e.Addr, e.Kind)
}

// Errors a caller may want to tell apart.
var (
	ErrTooLarge          = errors.New("body too large")
	ErrTooManyRedirects  = errors.New("too many redirects")
	ErrUnsupportedScheme = errors.New("unsupported scheme")
	ErrTimeout           = errors.New("timed out")
)

// sentence is an error whose text is a whole sentence and which still
// matches one of the sentinel errors above with errors.Is.
type sentence struct {
	msg  string
	kind error
}

func (e *sentence) Error() string        { return e.msg }
func (e *sentence) Is(target error) bool { return target == e.kind }

// New returns a Client with opts, zero fields taking the defaults.
func New(opts Options) *Client {
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = DefaultMaxBytes
	}
	if opts.Timeout <= 0 {
		opts.Timeout = DefaultTimeout
	}
	if opts.UserAgent == "" {
		opts.UserAgent = DefaultUserAgent
	}
	c := &Client{opts: opts}
	dialer := &net.Dialer{
		Timeout:   min(connectTimeout, opts.Timeout),
		KeepAlive: 30 * time.Second,
		Control:   c.control,
	}
	transport := &http.Transport{
		Proxy: nil, // a proxy would hide the real peer from the address check
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			conn, err := dialer.DialContext(ctx, network, addr)
			var refused *RefusedError
			if errors.As(err, &refused) {
				host, _, _ := net.SplitHostPort(addr)
				refused.Host = host
				return nil, refused
			}
			return conn, err
		},
		ForceAttemptHTTP2:      true,
		TLSClientConfig:        &tls.Config{MinVersion: tls.VersionTLS12},
		TLSHandshakeTimeout:    min(connectTimeout, opts.Timeout),
		ResponseHeaderTimeout:  min(headerTimeout, opts.Timeout),
		ExpectContinueTimeout:  time.Second,
		MaxIdleConns:           32,
		MaxIdleConnsPerHost:    2,
		IdleConnTimeout:        90 * time.Second,
		MaxResponseHeaderBytes: 1 << 20,
		DisableCompression:     true, // gzip is asked for and decoded below, so the cap counts decoded bytes
	}
	c.http = &http.Client{
		Transport: transport,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) > MaxRedirects {
				return &sentence{fmt.Sprintf("too many redirects (more than %d)", MaxRedirects), ErrTooManyRedirects}
			}
			// Every hop is checked again: its scheme here, its address in
			// control when the transport dials it.
			return checkScheme(req.URL)
		},
	}
	return c
}

// Get fetches rawURL with the extra request headers hdr (for example
// If-None-Match). Any HTTP status is a Response; an error means no usable
// response arrived.
func (c *Client) Get(ctx context.Context, rawURL string, hdr http.Header) (*Response, error) {
	u, err := url.Parse(strings.TrimSpace(rawURL))
	if err == nil && u.Scheme != "" {
		if err := checkScheme(u); err != nil {
			return nil, err
		}
	}
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("%q is not an absolute http or https URL", rawURL)
	}
	ctx, cancel := context.WithTimeout(ctx, c.opts.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("%q is not an absolute http or https URL", rawURL)
	}
	for k, vs := range hdr {
		if http.CanonicalHeaderKey(k) == "Accept-Encoding" {
			continue // the client decodes what it asks for, nothing else
		}
		req.Header[http.CanonicalHeaderKey(k)] = vs
	}
	req.Header.Set("User-Agent", c.opts.UserAgent)
	req.Header.Set("Accept-Encoding", "gzip")

	resp, err := c.http.Do(req)
	if err != nil {
		return nil, c.explain(ctx, err)
	}
	defer resp.Body.Close()
	if resp.ContentLength > c.opts.MaxBytes && resp.Header.Get("Content-Encoding") == "" {
		return nil, c.tooLarge()
	}
	body, err := c.readBody(resp)
	if err != nil {
		return nil, c.explain(ctx, err)
	}
	return &Response{URL: resp.Request.URL.String(), Status: resp.StatusCode, Header: resp.Header, Body: body}, nil
}

// readBody reads the decoded body, at most MaxBytes of it.
func (c *Client) readBody(resp *http.Response) ([]byte, error) {
	var r io.Reader = resp.Body
	switch enc := strings.ToLower(strings.TrimSpace(resp.Header.Get("Content-Encoding"))); enc {
	case "", "identity":
	case "gzip", "x-gzip":
		if resp.StatusCode == http.StatusNoContent || resp.StatusCode == http.StatusNotModified {
			break // no body to decode
		}
		zr, err := gzip.NewReader(resp.Body)
		if err == io.EOF {
			r = strings.NewReader("")
			break
		}
		if err != nil {
			return nil, fmt.Errorf("the gzip body is corrupt: %v", err)
		}
		defer zr.Close()
		r = zr
		resp.Header.Del("Content-Encoding")
		resp.Header.Del("Content-Length")
	default:
		return nil, fmt.Errorf("unsupported content encoding %q", enc)
	}
	body, err := io.ReadAll(io.LimitReader(r, c.opts.MaxBytes+1))
	if err != nil {
		if errors.Is(err, gzip.ErrChecksum) || errors.Is(err, gzip.ErrHeader) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, fmt.Errorf("the body is cut short or corrupt: %v", err)
		}
		return nil, err
	}
	if int64(len(body)) > c.opts.MaxBytes {
		return nil, c.tooLarge()
	}
	return body, nil
}

func (c *Client) tooLarge() error {
	return &sentence{"body larger than " + size(c.opts.MaxBytes), ErrTooLarge}
}

// explain turns the transport's errors into sentences.
func (c *Client) explain(ctx context.Context, err error) error {
	var refused *RefusedError
	var s *sentence
	var dnsErr *net.DNSError
	var opErr *net.OpError
	switch {
	case errors.As(err, &refused):
		return refused
	case errors.As(err, &s):
		return s
	case errors.Is(err, context.DeadlineExceeded) && ctx.Err() != nil,
		isTimeout(err):
		return &sentence{fmt.Sprintf("no answer within %s", c.opts.Timeout), ErrTimeout}
	case errors.Is(err, context.Canceled):
		return fmt.Errorf("fetch canceled: %w", context.Canceled)
	case errors.As(err, &dnsErr):
		if dnsErr.IsNotFound {
			return fmt.Errorf("no such host %s", dnsErr.Name)
		}
		return fmt.Errorf("cannot resolve %s: %v", dnsErr.Name, dnsErr.Err)
	case errors.Is(err, syscall.ECONNREFUSED) && errors.As(err, &opErr):
		return fmt.Errorf("connection refused by %s", opErr.Addr)
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func checkScheme(u *url.URL) error {
	if u.Scheme != "http" && u.Scheme != "https" {
		return &sentence{fmt.Sprintf("refused: %s is not an http or https URL", u.Redacted()), ErrUnsupportedScheme}
	}
	return nil
}

// control runs after DNS resolution, on the address of every connection
// the client opens.
func (c *Client) control(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("refused: cannot check address %q", address)
	}
	if c.opts.AllowPrivate || (c.permit != nil && c.permit(ap)) {
		return nil
	}
	if kind := NonPublic(ap.Addr()); kind != "" {
		return &RefusedError{Addr: ap.Addr().Unmap().WithZone(""), Kind: kind}
	}
	return nil
}

var (
	nat64     = netip.MustParsePrefix("64:ff9b::/96")
	cgnat     = netip.MustParsePrefix("100.64.0.0/10")
	thisNet   = netip.MustParsePrefix("0.0.0.0/8")
	reserved4 = netip.MustParsePrefix("240.0.0.0/4")
	ietf4     = netip.MustParsePrefix("192.0.0.0/24")
	bench4    = netip.MustParsePrefix("198.18.0.0/15")
	v4compat  = netip.MustParsePrefix("::/96")
)

// NonPublic says what kind of non-public address a is ("a loopback
// address", …), or "" when a is a public unicast address.
func NonPublic(a netip.Addr) string {
	a = a.Unmap()
	if a.Is6() && nat64.Contains(a) {
		b := a.As16()
		if kind := NonPublic(netip.AddrFrom4([4]byte(b[12:]))); kind != "" {
			return kind + " (through NAT64)"
		}
	}
	switch {
	case !a.IsValid():
		return "not an IP address"
	case a.IsUnspecified() || thisNet.Contains(a):
		return "an unspecified address"
	case a.IsLoopback():
		return "a loopback address"
	case a.IsPrivate():
		return "a private address"
	case a.IsMulticast():
		return "a multicast address"
	case a.IsLinkLocalUnicast():
		return "a link-local address"
	case cgnat.Contains(a):
		return "a shared (carrier-grade NAT) address"
	case reserved4.Contains(a) || ietf4.Contains(a) || bench4.Contains(a):
		return "a reserved address"
	case a.Is6() && v4compat.Contains(a):
		return "a reserved address"
	}
	return ""
}

// size renders a byte count the way people say it: "20 MB", "512 kB".
func size(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d kB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
