package fabnet

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// RaftLeader returns the name of the orderer that leads the channel's Raft
// cluster, read from each orderer's operations metrics
// (consensus_etcdraft_is_leader).
func (n *Network) RaftLeader(ctx context.Context) (string, error) {
	client := &http.Client{Timeout: 2 * time.Second}
	for _, o := range n.Layout.Orderers {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+n.Layout.OrdererOperationsAddress(o)+"/metrics", nil)
		if err != nil {
			return "", err
		}
		resp, err := client.Do(req)
		if err != nil {
			continue // a stopped orderer leads nothing
		}
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		leader := false
		for sc.Scan() {
			line := sc.Text()
			if strings.HasPrefix(line, "consensus_etcdraft_is_leader{") && strings.Contains(line, `channel="`+ChannelName+`"`) &&
				strings.HasSuffix(line, " 1") {
				leader = true
			}
		}
		resp.Body.Close()
		if leader {
			return o.Name, nil
		}
	}
	return "", fmt.Errorf("fabnet: no Raft leader for %q", ChannelName)
}
