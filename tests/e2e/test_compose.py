"""docker-compose.yml shows the production shape (issue 18 §4). No Docker engine runs here, so
what can be tested is: the file parses and has the shape (PostgreSQL, three NATS nodes, two `api`
replicas behind nginx, two `workers`); every `hazard` command in it is accepted by the real CLI;
the NATS nodes' configurations are what its `nats-config` service's command writes, with the
administrator's password the services use; nginx's configuration names both replicas. The
processes themselves run in tests/e2e/test_replicas.py (api replicas behind this nginx.conf),
tests/fanout/test_standby.py (leader and standby workers) and tests/fanout/test_cluster.py
(a three-node cluster from `hazard nats-config --cluster 3`)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import yaml

from tests.e2e.test_cli import HAZARD

ROOT = Path(__file__).resolve().parents[2]


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def hazard_accepts(command: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    """The CLI parses the command (argparse checks every argument before it reaches --help)."""
    assert command[0] == "hazard", command
    return subprocess.run([HAZARD, *command[1:], "--help"], capture_output=True, text=True, env=env, timeout=60)


def test_the_compose_file_has_the_production_shape(tmp_path):
    services = compose()["services"]
    by_role: dict[str, list[str]] = {}
    for name, service in services.items():
        command = service.get("command") or []
        if command[:2] == ["hazard", "serve"]:
            by_role.setdefault(command[command.index("--role") + 1], []).append(name)
    assert by_role == {"api": ["api-1", "api-2"], "workers": ["workers-1", "workers-2"]}
    assert services["postgres"]["image"].startswith("postgres:")
    assert [n for n in services if n.startswith("nats-") and n != "nats-config"] == ["nats-1", "nats-2", "nats-3"]
    proxy = services["proxy"]
    assert proxy["image"].startswith("nginx:") and "./deploy/nginx.conf:/etc/nginx/nginx.conf:ro" in proxy["volumes"]
    assert set(proxy["depends_on"]) == {"api-1", "api-2"}
    env = {"HAZARD_DATA_DIR": str(tmp_path / "var"), "PATH": "/usr/bin:/bin"}
    for name in (*by_role["api"], *by_role["workers"], "nats-config"):
        parsed = hazard_accepts(services[name]["command"], env)
        assert parsed.returncode == 0, (name, parsed.stderr)
    environment = services["api-1"]["environment"]
    nodes = re.findall(r"@(nats-\d):4222", environment["NATS_URL"])
    assert nodes == ["nats-1", "nats-2", "nats-3"] and environment["HAZARD_NATS_REPLICAS"] == "3"
    assert services["workers-2"]["environment"] == environment  # one configuration for all


def test_the_nats_nodes_run_the_configuration_nats_config_writes(tmp_path):
    services = compose()["services"]
    command = [part.replace("/config", str(tmp_path)) for part in services["nats-config"]["command"]]
    written = subprocess.run([HAZARD, *command[1:]], capture_output=True, text=True, timeout=60, env={
        "HAZARD_DATA_DIR": str(tmp_path / "var"), "HAZARD_NATS_ADMIN_PASSWORD": "compose-admin-pw",
        "PATH": "/usr/bin:/bin"})
    assert written.returncode == 0, written.stderr
    for n in (1, 2, 3):
        node = services[f"nats-{n}"]
        config_file = node["command"][node["command"].index("-c") + 1]
        text = (tmp_path / Path(config_file).name).read_text()
        others = sorted(f"nats-route://nats-{m}:6222" for m in (1, 2, 3) if m != n)
        assert f'server_name: "hz-{n}"' in text and f'listen: "nats-{n}:4222"' in text
        assert all(route in text for route in others)
        assert f'store_dir: "/data/jetstream-hz-{n}"' in text and "/data" in "".join(node["volumes"])
        assert '{"user": "admin", "password": "compose-admin-pw"}' in text  # what NATS_URL carries


def test_nginx_forwards_to_both_api_replicas():
    text = (ROOT / "deploy" / "nginx.conf").read_text()
    assert re.findall(r"server (api-\d):8000", text) == ["api-1", "api-2"]
    assert re.search(r"location = /api/v1/events/stream \{[^}]*proxy_buffering off;", text)


def test_the_env_example_names_every_variable_the_compose_file_requires():
    required = set(re.findall(r"\$\{(\w+):\?", (ROOT / "docker-compose.yml").read_text()))
    example = (ROOT / "deploy" / "env.example").read_text()
    assert required == {"HAZARD_SECRET", "NATS_ADMIN_PASSWORD"}
    assert all(re.search(rf"^{name}=", example, re.M) for name in required)
