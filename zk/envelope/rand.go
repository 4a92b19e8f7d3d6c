package envelope

import "crypto/rand"

var cryptoRand = rand.Reader
