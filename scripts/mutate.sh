#!/usr/bin/env bash
# Mutation testing of the critical modules with mutmut (docs/testing.md): `make mutate` runs them all,
# `make mutate MUTATE=duplicates-merge` (or several, space-separated) only those. One module at a
# time, with only the tests that cover it; results stay in var/mutate/<module>/ (browse them there
# with `../../../.venv/bin/mutmut browse`, or show one with `mutmut show NAME`).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
MUTMUT="$ROOT/${VENV:-.venv}/bin/mutmut"
VENV_PY="${VENV:-.venv}/bin/python"

# module name | files to mutate (src/maklerwerk/...) | the tests that cover them
MODULES=(
  "duplicates-merge|duplicates/merge.py|tests/duplicates/test_merge.py tests/duplicates/test_merge_related.py tests/duplicates/test_merge_undo.py tests/duplicates/test_views.py"
  "duplicates-engine|duplicates/engine.py|tests/duplicates tests/contacts/test_duplicate_check.py"
  "exposes|exposes/services.py exposes/tasks.py|tests/exposes"
  "inquiries|inquiries/services.py inquiries/automation.py|tests/inquiries"
  "sharing|sharing/views_public.py sharing/services.py sharing/visits.py|tests/sharing"
  "accounts|accounts/services.py accounts/roles.py|tests/accounts tests/api"
  "properties-visibility|properties/selectors.py properties/models.py|tests/properties"
  "mailing-templating|mailing/templating.py|tests/mailing"
)

wanted=("$@")
[ ${#wanted[@]} -gt 0 ] && [ "${wanted[0]}" != all ] || wanted=()
summary=()
for entry in "${MODULES[@]}"; do
  IFS='|' read -r name files tests <<<"$entry"
  if [ ${#wanted[@]} -gt 0 ] && [[ ! " ${wanted[*]} " == *" $name "* ]]; then
    continue
  fi
  work="$ROOT/var/mutate/$name"
  echo "== mutmut: $name ($files) against $tests"
  mkdir -p "$work/data"
  # mutmut works in the current directory (it copies src/ and tests/ to mutants/ there): give each
  # module its own directory with the project's files linked in and its own setup.cfg.
  for item in src tests pyproject.toml NOTICE docs bench; do ln -sfn "$ROOT/$item" "$work/$item"; done
  {
    echo "[mutmut]"
    echo "source_paths=src/maklerwerk"
    echo "only_mutate="
    for f in $files; do echo "    src/maklerwerk/$f"; done
    # A test database kept between mutants (MAKLERWERK_DATA_DIR below): no migrations per mutant.
    echo "pytest_add_cli_args=--reuse-db"
    # Files some tests read beside the code (the licence notice, the docs' JSON schemas, the bench's
    # data generators).
    echo "also_copy="
    echo "    NOTICE"
    echo "    docs"
    echo "    bench"
    echo "pytest_add_cli_args_test_selection="
    for t in $tests; do echo "    $t"; done
  } >"$work/setup.cfg"
  (cd "$work" && MAKLERWERK_DATA_DIR="$work/data" "$MUTMUT" run --max-children "${MUTATE_JOBS:-1}" >mutmut-run.log 2>&1) || true
  (cd "$work" && "$MUTMUT" export-cicd-stats >/dev/null)
  score="$(cd "$work" && "$ROOT/$VENV_PY" "$ROOT/scripts/mutate_score.py")"
  echo "$score"
  summary+=("$name: $score")
done
echo "== mutation scores"
printf '%s\n' "${summary[@]}"
