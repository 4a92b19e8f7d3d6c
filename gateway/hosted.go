package gateway

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/tierchain/tierchain/internal/problem"
)

// OrgHeader names an organisation: on every response, the one whose
// gateway served it; on a request, the one the client means to reach.
const OrgHeader = "TierChain-Org"

// NotHosted is the 403 problem of a request for something this gateway
// does not host: another organisation's enterprise, or a service another
// organisation's gateway runs (where says which).
func NotHosted(detail string) *problem.Problem {
	return problem.New(http.StatusForbidden, problem.CodeNotHosted, detail)
}

// announceHost puts the hosted organisation on every response.
func (s *Server) announceHost(c *gin.Context) {
	if s.cfg.Host.Org != "" {
		c.Header(OrgHeader, s.cfg.Host.Org)
	}
	c.Next()
}

// hostedOrg refuses, before authentication, a request whose TierChain-Org
// header names an organisation other than the hosted one: a client routed
// to the wrong gateway learns it before it shows its token.
func (s *Server) hostedOrg(c *gin.Context) {
	if s.cfg.Host.Org == "" {
		c.Next()
		return
	}
	if named := c.GetHeader(OrgHeader); named != "" && named != s.cfg.Host.Org {
		fail(c, NotHosted("this gateway hosts "+s.cfg.Host.Org+", not the organisation the request names: send it to that organisation's gateway"))
		return
	}
	c.Next()
}

// hostedPrincipal refuses a request acting for an enterprise of another
// MSP than the hosted organisation's.
func (s *Server) hostedPrincipal(c *gin.Context) {
	if s.cfg.Host.MSPID == "" {
		c.Next()
		return
	}
	if p, ok := principalOf(c); ok && p.MSPID != s.cfg.Host.MSPID {
		fail(c, NotHosted("the enterprise this request acts for is not hosted by this gateway ("+s.cfg.Host.Org+"): use its own organisation's gateway"))
		return
	}
	c.Next()
}

// refuseWrites refuses every write of a read-only gateway, before the role
// check, the body and the Idempotency-Key are looked at.
func (s *Server) refuseWrites(c *gin.Context) {
	fail(c, problem.New(http.StatusForbidden, problem.CodeReadOnly,
		"this gateway is read-only (the regulator's): it refuses every write before it reaches the ledger"))
}
