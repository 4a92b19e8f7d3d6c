package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Headers of a delivery.
const (
	HeaderSignature = "TierChain-Signature"  // t=<unix seconds>,v1=<hex HMAC-SHA256>
	HeaderEventID   = "TierChain-Event-Id"   // the notification's ID: the same on every retry
	HeaderEventType = "TierChain-Event-Type" // e.g. quote.accepted
)

// DefaultTolerance is how far a signature's timestamp may be from the
// receiver's clock before Verify refuses it (replay window).
const DefaultTolerance = 5 * time.Minute

// Errors of Verify, matched with errors.Is.
var (
	ErrBadSignature    = errors.New("webhook: signature does not verify")
	ErrStaleSignature  = errors.New("webhook: signature timestamp outside the tolerance")
	ErrMalformedHeader = errors.New("webhook: malformed signature header")
)

// Sign returns the signature header value for body sent at t: the HMAC-SHA256
// under secret of the decimal Unix seconds, a dot and the body.
func Sign(secret, body []byte, t time.Time) string {
	return "t=" + strconv.FormatInt(t.Unix(), 10) + ",v1=" + hex.EncodeToString(mac(secret, t.Unix(), body))
}

func mac(secret []byte, unix int64, body []byte) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(strconv.FormatInt(unix, 10)))
	m.Write([]byte{'.'})
	m.Write(body)
	return m.Sum(nil)
}

// Verify checks a delivery as its receiver: header is the
// TierChain-Signature value, body the raw request body, now the
// receiver's clock. It accepts any v1 signature in the header (a secret
// being rotated may sign twice) within tolerance of now, compared in
// constant time.
func Verify(secret []byte, header string, body []byte, now time.Time, tolerance time.Duration) error {
	var ts int64 = -1
	var sigs [][]byte
	for _, part := range strings.Split(header, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return ErrMalformedHeader
		}
		switch k {
		case "t":
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 0 {
				return ErrMalformedHeader
			}
			ts = n
		case "v1":
			b, err := hex.DecodeString(v)
			if err != nil || len(b) != sha256.Size {
				return ErrMalformedHeader
			}
			sigs = append(sigs, b)
		}
	}
	if ts < 0 || len(sigs) == 0 {
		return ErrMalformedHeader
	}
	if d := now.Sub(time.Unix(ts, 0)); d > tolerance || d < -tolerance {
		return fmt.Errorf("%w: %s", ErrStaleSignature, d.Round(time.Second))
	}
	want := mac(secret, ts, body)
	for _, s := range sigs {
		if hmac.Equal(s, want) {
			return nil
		}
	}
	return ErrBadSignature
}
