package envelope

import (
	"fmt"
	"io"
)

// MaxMessageSize bounds a sealed message's plaintext.
const MaxMessageSize = 1 << 20

// MessageOverhead is what SealMessage adds to a plaintext: the HPKE
// encapsulated key and the AEAD tag.
const MessageOverhead = 32 + 16

// SealMessage encrypts a message (not an opening) to pub with the same HPKE
// suite as Seal. info names the message's kind and version (it must differ
// from Info and from every other kind's); aad binds it to its context, as
// Binding does for openings. The recipient opens it with OpenMessage and
// the same info and aad.
func SealMessage(pub *PublicKey, info string, aad, msg []byte, rand io.Reader) ([]byte, error) {
	if info == "" || info == Info {
		return nil, fmt.Errorf("%w: a message needs its own info string", ErrMalformed)
	}
	if len(msg) > MaxMessageSize {
		return nil, fmt.Errorf("%w: message of %d bytes", ErrMalformed, len(msg))
	}
	if rand == nil {
		rand = cryptoRand
	}
	sender, err := suite.NewSender(pub.pk, []byte(info))
	if err != nil {
		return nil, err
	}
	enc, sealer, err := sender.Setup(rand)
	if err != nil {
		return nil, err
	}
	ct, err := sealer.Seal(msg, aad)
	if err != nil {
		return nil, err
	}
	return append(enc, ct...), nil
}

// OpenMessage decrypts a message sealed by SealMessage to k's public key
// with this info and aad. It returns ErrDecrypt for any envelope that does
// not open, and ErrMalformed for one too short or too long to be one.
func OpenMessage(k *PrivateKey, info string, aad, sealed []byte) ([]byte, error) {
	if info == "" || info == Info {
		return nil, fmt.Errorf("%w: a message needs its own info string", ErrMalformed)
	}
	if len(sealed) < MessageOverhead || len(sealed) > MaxMessageSize+MessageOverhead {
		return nil, fmt.Errorf("%w: %d bytes", ErrMalformed, len(sealed))
	}
	receiver, err := suite.NewReceiver(k.sk, []byte(info))
	if err != nil {
		return nil, err
	}
	opener, err := receiver.Setup(sealed[:32])
	if err != nil {
		return nil, ErrDecrypt
	}
	pt, err := opener.Open(sealed[32:], aad)
	if err != nil {
		return nil, ErrDecrypt
	}
	return pt, nil
}
