// The test cluster as src/transport's SshTransport sees it: its key only, its known_hosts only, no
// agent, no prompts.
import type { SshTransportOptions } from '../../../src/transport/ssh.js';
import type { SshTarget } from '../../../src/transport/ssh-target.js';
import type { TestCluster } from './cluster.js';

export const QUIET_SSH: SshTransportOptions = { agent: false, interactive: false };

export function clusterSshTarget(cluster: TestCluster, overrides: Partial<SshTarget> = {}): SshTarget {
  return {
    alias: 'test-cluster',
    host: cluster.host,
    port: cluster.port,
    username: cluster.username,
    identityFiles: [cluster.privateKeyPath],
    identityFilesExplicit: true,
    identitiesOnly: true,
    proxyJump: [],
    knownHostsFiles: [cluster.knownHostsPath],
    globalKnownHostsFiles: [],
    ...overrides,
  };
}
