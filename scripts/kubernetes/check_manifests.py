#!/usr/bin/env python3
"""What README.md "Deployment" promises of the rendered Kubernetes manifests, checked on `kubectl kustomize` output.

    check_manifests.py single RENDERED.yaml replicated RENDERED.yaml

kubernetes-validate --strict has already checked each resource against the API schema; this checks what a schema
cannot: that the pod runs as the Dockerfile's user and port, probes and hardening are in place, the grace period
outlasts the configured shutdownGrace, every secret is a file named by a `*File` key under a mounted Secret, and
each mode keeps its state where it says (state.dir on the claim, or state.postgres from a Secret).
Prints one line per check and a closing "N passed, N failed" line; exits 1 when any failed.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
# Keys whose value is a credential: in these manifests each must be given as <key>File instead.
SECRET_KEYS = {"token", "secret", "secrets", "password", "bearer", "clientSecret", "postgres", "value"}
passed: list[str] = []
failed: list[str] = []


def check(condition: bool, what: str) -> None:
    (passed if condition else failed).append(what)
    print(("ok: " if condition else "FAILED: ") + what)


def duration_seconds(text: str) -> float:
    """The configuration's duration syntax: an integer and a unit (ms, s, m, h, d)."""
    match = re.fullmatch(r"(\d+)(ms|s|m|h|d)", str(text))
    if not match:
        raise ValueError(f"not a duration: {text!r}")
    scale = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400}[match.group(2)]
    return int(match.group(1)) * scale


def dockerfile_runtime() -> tuple[str, int]:
    """The runtime stage's USER and EXPOSEd port: the manifests must agree with the image."""
    user, port = "", 0
    for line in (ROOT / "Dockerfile").read_text().splitlines():
        words = line.split()
        if words[:1] == ["USER"]:
            user = words[1]
        elif words[:1] == ["EXPOSE"]:
            port = int(words[1].split("/")[0])
    return user, port


def walk(node, path=()):
    """Every (key path, value) of a parsed YAML document."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield from walk(value, path + (str(key),))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from walk(value, path + (str(index),))
    else:
        yield path, node


def check_overlay(mode: str, rendered: Path) -> None:
    docs = [doc for doc in yaml.safe_load_all(rendered.read_text()) if doc]
    by_kind: dict[str, list[dict]] = {}
    for doc in docs:
        by_kind.setdefault(doc["kind"], []).append(doc)
    prefix = f"{mode}:"
    for kind in ("Deployment", "Service", "ConfigMap", "PodDisruptionBudget"):
        check(len(by_kind.get(kind, [])) == 1, f"{prefix} one {kind}")
    if failed:
        return
    deployment = by_kind["Deployment"][0]
    pod = deployment["spec"]["template"]["spec"]
    containers = pod["containers"]
    check(len(containers) == 1, f"{prefix} one container")
    container = containers[0]
    user, port = dockerfile_runtime()
    uid, gid = (int(part) for part in user.split(":"))

    # Who it runs as, and what it may do.
    pod_security = pod.get("securityContext", {})
    security = container.get("securityContext", {})
    check(pod_security.get("runAsNonRoot") is True and security.get("runAsNonRoot") is True,
          f"{prefix} runAsNonRoot on the pod and the container")
    check((pod_security.get("runAsUser"), pod_security.get("runAsGroup")) == (uid, gid),
          f"{prefix} runs as the Dockerfile's USER {user}")
    check(pod_security.get("fsGroup") == gid, f"{prefix} fsGroup {gid}: mounted secrets and state are the user's")
    check(security.get("allowPrivilegeEscalation") is False, f"{prefix} allowPrivilegeEscalation: false")
    check(security.get("readOnlyRootFilesystem") is True, f"{prefix} readOnlyRootFilesystem: true")
    check(security.get("capabilities", {}).get("drop") == ["ALL"], f"{prefix} capabilities drop ALL")
    check(pod.get("automountServiceAccountToken") is False, f"{prefix} no service account token mounted")

    # Port and probes.
    ports = {p["name"]: p["containerPort"] for p in container.get("ports", [])}
    check(ports.get("http") == port, f"{prefix} port http is the Dockerfile's EXPOSE {port}")
    for probe, path in (("livenessProbe", "/healthz"), ("readinessProbe", "/readyz"), ("startupProbe", "/healthz")):
        http_get = container.get(probe, {}).get("httpGet", {})
        check(http_get.get("path") == path and http_get.get("port") == "http", f"{prefix} {probe} GET {path}")

    # Resources: requests for scheduling, a memory limit.
    resources = container.get("resources", {})
    check({"cpu", "memory"} <= set(resources.get("requests", {})), f"{prefix} cpu and memory requests")
    check("memory" in resources.get("limits", {}), f"{prefix} a memory limit")

    # The configuration file: mounted where --config reads it.
    config_map = by_kind["ConfigMap"][0]
    mounts = {m["name"]: m for m in container.get("volumeMounts", [])}
    volumes = {v["name"]: v for v in pod.get("volumes", [])}
    args = container.get("args", [])
    config_path = args[args.index("--config") + 1] if "--config" in args else ""
    config_volume = next((name for name, v in volumes.items()
                          if v.get("configMap", {}).get("name") == config_map["metadata"]["name"]), None)
    check(config_volume is not None and config_path == f"{mounts[config_volume]['mountPath']}/scanrelay.yaml"
          and "scanrelay.yaml" in config_map.get("data", {}),
          f"{prefix} serve --config {config_path} is the ConfigMap's scanrelay.yaml")
    config = yaml.safe_load(config_map["data"]["scanrelay.yaml"])

    # Grace: preStop wait + shutdownGrace must end before the kubelet's SIGKILL.
    shutdown_grace = duration_seconds(config.get("limits", {}).get("shutdownGrace", "10s"))
    pre_stop = container.get("lifecycle", {}).get("preStop", {})
    pre_stop_seconds = float(pre_stop.get("exec", {}).get("command", ["sleep", "0"])[-1]) if pre_stop else 0
    grace = pod.get("terminationGracePeriodSeconds", 30)
    check(grace > pre_stop_seconds + shutdown_grace,
          f"{prefix} terminationGracePeriodSeconds {grace} > preStop {pre_stop_seconds:g} s + "
          f"shutdownGrace {shutdown_grace:g} s")

    # Secrets: never a literal in the ConfigMap, always a *File under a mounted Secret.
    secret_dirs = {mounts[name]["mountPath"].rstrip("/"): v["secret"]["secretName"]
                   for name, v in volumes.items() if "secret" in v and name in mounts}
    file_keys = [(path, value) for path, value in walk(config) if path[-1].endswith("File")]
    literal = [".".join(path) for path, value in walk(config)
               if path[-1] in SECRET_KEYS or (path[-1].isdigit() and path[-2] in SECRET_KEYS)]
    check(not literal, f"{prefix} no secret written into the ConfigMap ({', '.join(literal) or 'none'})")
    check(bool(file_keys), f"{prefix} secrets are named with *File keys")
    for path, value in file_keys:
        directory = str(Path(value).parent)
        check(directory in secret_dirs, f"{prefix} {'.'.join(path)}: {value} is in a mounted Secret")
    for name, mount in mounts.items():
        if "persistentVolumeClaim" not in volumes[name]:
            check(mount.get("readOnly") is True, f"{prefix} volume {name} is mounted read-only")

    # Where the state lives.
    state = config.get("state", {}) or {}
    replicas = deployment["spec"].get("replicas", 1)
    claims = by_kind.get("PersistentVolumeClaim", [])
    if mode == "single":
        check(replicas == 1, f"{prefix} one replica")
        check(deployment["spec"].get("strategy", {}).get("type") == "Recreate",
              f"{prefix} Recreate: the old pod releases the journal before the new one starts")
        state_volume = next((name for name, v in volumes.items() if "persistentVolumeClaim" in v), None)
        check(state_volume is not None and mounts.get(state_volume, {}).get("mountPath") == state.get("dir"),
              f"{prefix} state.dir {state.get('dir')} is the PersistentVolumeClaim's mount")
        check(len(claims) == 1 and state_volume is not None
              and volumes[state_volume]["persistentVolumeClaim"]["claimName"] == claims[0]["metadata"]["name"]
              and claims[0]["spec"]["accessModes"] == ["ReadWriteOnce"],
              f"{prefix} the claim is in the manifests, ReadWriteOnce")
        check("postgres" not in state and "postgresFile" not in state, f"{prefix} no state.postgres")
    else:
        check(replicas >= 2, f"{prefix} {replicas} replicas")
        check("dir" not in state, f"{prefix} no state.dir (exclusive with state.postgres)")
        postgres = state.get("postgresFile", "")
        check(str(Path(postgres).parent) in secret_dirs,
              f"{prefix} state.postgresFile {postgres} is in a mounted Secret "
              f"({secret_dirs.get(str(Path(postgres).parent), '-')})")
        check(not claims, f"{prefix} no PersistentVolumeClaim")
        rolling = deployment["spec"].get("strategy", {}).get("rollingUpdate", {})
        check(rolling.get("maxUnavailable") == 0, f"{prefix} an update keeps every replica serving (maxUnavailable 0)")

    # The Service and the budget select these pods.
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    service = by_kind["Service"][0]
    check(service["spec"]["selector"].items() <= labels.items(), f"{prefix} the Service selects the pods")
    check(any(p.get("targetPort") in ("http", port) for p in service["spec"]["ports"]),
          f"{prefix} the Service targets port http")
    budget = by_kind["PodDisruptionBudget"][0]
    check(budget["spec"]["selector"]["matchLabels"].items() <= labels.items(),
          f"{prefix} the PodDisruptionBudget selects the pods")
    check(budget["spec"].get("maxUnavailable") == 1, f"{prefix} the PodDisruptionBudget lets one pod go at a time")


def main(arguments: list[str]) -> int:
    if len(arguments) % 2 or not arguments:
        print(__doc__, file=sys.stderr)
        return 2
    for mode, rendered in zip(arguments[::2], arguments[1::2]):
        if mode not in ("single", "replicated"):
            print(f"unknown mode {mode}", file=sys.stderr)
            return 2
        check_overlay(mode, Path(rendered))
    print(f"{len(passed)} passed, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
