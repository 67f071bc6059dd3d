"""A JetStream cluster of nats-servers (issue 18 §3): one configuration per node, written by
`hazard nats-config --cluster 3`. Each node has its own client port, route port and JetStream
folder, the same cluster name and routes to every node; the relay creates the events stream
with `HAZARD_NATS_REPLICAS` copies (3 here), so it survives the loss of any one node (RAFT: a
majority of 2 of 3 keeps accepting writes).

The subscribers' users and permissions (`infra/nats_config.render`) are the same on every node.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

CLUSTER_NAME = "hazardledger"


@dataclass(frozen=True)
class Node:
    name: str          # server_name, e.g. hz-1
    host: str
    client_port: int
    route_port: int

    @property
    def listen(self) -> str:
        return f"{self.host}:{self.client_port}"

    @property
    def url(self) -> str:
        return f"nats://{self.host}:{self.client_port}"


def nodes(count: int, hosts: str | list[str], client_ports: list[int], route_ports: list[int]) -> list[Node]:
    """`count` nodes (3 or 5: an odd number, so a majority remains when one is lost), on one host
    (ports differ) or one host each (e.g. the containers nats-1, nats-2, nats-3 of
    docker-compose.yml, where every node may use the same ports)."""
    if count not in (3, 5):
        raise ValueError(f"集群节点数须为 3 或 5（奇数，失去一个节点后仍有多数），收到 {count}")
    hosts = [hosts] * count if isinstance(hosts, str) else list(hosts)
    if len(hosts) == 1:
        hosts *= count
    if len(hosts) != count:
        raise ValueError(f"须为 {count} 个节点各给一个主机（或所有节点一个主机），收到 {len(hosts)} 个")
    if len(client_ports) != count or len(route_ports) != count:
        raise ValueError(f"须为 {count} 个节点各给一个客户端端口和一个集群端口")
    addresses = [(h, p) for h, p in zip(hosts, client_ports)] + [(h, p) for h, p in zip(hosts, route_ports)]
    if len(set(addresses)) != 2 * count:
        raise ValueError("同一主机上的端口不能重复")
    return [Node(f"hz-{i + 1}", h, c, r) for i, (h, c, r) in enumerate(zip(hosts, client_ports, route_ports))]


def cluster_lines(node: Node, members: list[Node], store_dir: Path) -> list[str]:
    """What a node's configuration adds to the common one: its name, JetStream folder and cluster."""
    routes = [f"nats-route://{m.host}:{m.route_port}" for m in members if m is not node]
    return [
        f"server_name: {json.dumps(node.name)}",
        f"jetstream {{ store_dir: {json.dumps(str(store_dir))} }}",
        f"cluster {{ name: {json.dumps(CLUSTER_NAME)}, listen: {json.dumps(f'{node.host}:{node.route_port}')}, "
        f"routes: {json.dumps(routes)} }}",
    ]


def client_urls(members: list[Node]) -> str:
    """NATS_URL for the service: every node, so a client reconnects to another when one is lost."""
    return ",".join(m.url for m in members)
