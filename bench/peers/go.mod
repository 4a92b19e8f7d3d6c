module github.com/tierchain/tierchain/bench/peers

go 1.26.0

replace github.com/tierchain/tierchain => ../..

require (
	github.com/cloudflare/circl v1.6.5
	github.com/coinbase/kryptology v1.8.0
	github.com/gtank/merlin v0.1.1
	github.com/tierchain/tierchain v0.0.0-00010101000000-000000000000
)

require (
	filippo.io/edwards25519 v1.0.0-rc.1 // indirect
	github.com/btcsuite/btcd v0.21.0-beta.0.20201114000516-e9c7a5ac6401 // indirect
	github.com/bwesterb/go-ristretto v1.2.4 // indirect
	github.com/consensys/gnark-crypto v0.5.3 // indirect
	github.com/mimoo/StrobeGo v0.0.0-20181016162300-f8f6d4d2b643 // indirect
	github.com/pkg/errors v0.9.1 // indirect
	golang.org/x/crypto v0.54.0 // indirect
	golang.org/x/sys v0.49.0 // indirect
)
