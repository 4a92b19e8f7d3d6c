package audit

import "crypto/rand"

// cryptoRand draws the cache's nonces.
var cryptoRand = rand.Reader
