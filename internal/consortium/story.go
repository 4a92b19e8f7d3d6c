package consortium

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/tierchain/tierchain/internal/demo"
)

// StoryConfig returns the demo story's routing on the consortium: each
// enterprise's steps go to the gateway of the organisation that hosts it,
// through its port published on 127.0.0.1, with the dev tokens each
// gateway wrote in its own folder (tokens.json).
func (c *Consortium) StoryConfig() (demo.Config, error) {
	cfg := demo.Config{Gateways: map[string]demo.Gateway{}, Tokens: map[string]string{}}
	for _, o := range c.Layout.Orgs {
		file := filepath.Join(c.GatewayDir(o.Name), "tokens.json")
		b, err := os.ReadFile(file)
		if err != nil {
			return demo.Config{}, fmt.Errorf("consortium: %s's gateway wrote no tokens: %w", o.Name, err)
		}
		ts := map[string]string{}
		if err := json.Unmarshal(b, &ts); err != nil {
			return demo.Config{}, fmt.Errorf("consortium: %s: %w", file, err)
		}
		url := c.GatewayURL(o.Name)
		for id, tok := range ts {
			cfg.Gateways[id] = demo.Gateway{Base: url, Label: fmt.Sprintf("%s gateway %s", o.Name, url[len("http://"):])}
			cfg.Tokens[id] = tok
		}
	}
	return cfg, nil
}

// As is a REST client of enterprise id at its organisation's gateway.
func As(cfg demo.Config, id string) *demo.Client {
	g := cfg.Gateways[id]
	return &demo.Client{Base: g.Base, Label: g.Label, Token: cfg.Tokens[id]}
}
