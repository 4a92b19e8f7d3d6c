// Package wallet is an enterprise's wallet: its HPKE key (envelope.PrivateKey),
// the openings (value, blinding) of the commitments the chain addresses to it,
// and the builders that turn those openings into ready model requests.
//
// One Wallet serves the enterprises one gateway acts for from one SQL
// database (services/store, component "wallet"): an organisation's gateway
// holds its founding enterprise's key (made by its organisation and
// imported with ImportKey), the operator's also the suppliers it hosts;
// never another organisation's. Private keys and openings are stored encrypted under
// a master key given to New (XChaCha20-Poly1305 under a key derived with
// HKDF-SHA256; the associated data binds the enterprise, the purpose and the
// record), so a stolen database reveals neither.
//
// Openings come only from the chain: Sync reads the ledger through a Ledger
// (internal/fabricclient.Client satisfies it), opens each envelope addressed
// to the enterprise, checks the opening against the ledger's commitment and
// stores it. A lost database is rebuilt by Sync from the chain and the key.
//
// Openings and amounts are secrets: they never appear in errors or logs, and
// the types that carry them redact themselves in String and LogValue.
// See docs/wallet.md.
package wallet
