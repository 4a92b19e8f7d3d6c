// Package k8s installs one TierChain organisation into one Kubernetes
// namespace with kustomize: a base (base/: the peer as a StatefulSet with
// its ledger on a persistent volume, the chaincode server and the REST
// gateway as Deployments, their Services, and the admin's Jobs that join
// the channel and install and approve the chaincode), components for what
// only some organisations run (components/orderer: a Raft orderer and the
// Job that joins it; components/chaincode-commit: the Operator's commit;
// components/writers-lock: the Regulator's Writers lock, by `tierchain
// admin lock-writers`),
// and one overlay per organisation (overlays/<org>/), generated from
// fabnet's layout so that names, ports and paths are those of
// docker-compose.yml and the native network. Every admin step is
// idempotent (the peer and osnadmin steps run through network/docker/once:
// done before is success), so a Job that runs again completes.
//
// Each Service is named after the first label of its node's name in the
// layout (peer0, chaincode, gateway, orderer<i>) in the namespace
// tierchain-<org>; the cluster's DNS maps <service>.<org>.tierchain.local
// there (DNSRewrite), so the names in the TLS certificates, the channel
// configuration and the chaincode packages hold unchanged.
//
// Keys never enter the repository: WriteSecrets copies, from the
// organisation's own prepared folder and the public bundle only, the files
// its overlay's secretGenerator and configMapGenerator read, into the
// overlay's secrets/ folder. Each workload mounts only the Secret it needs
// (the peer its node identity, the gateway its description, users and
// enterprise keys, the Jobs the Admin identity), at the place the
// prepared folder has it below /tierchain, so the gateway's description
// (relative paths) works unchanged. The command is cmd/tierchain-k8s.
package k8s
