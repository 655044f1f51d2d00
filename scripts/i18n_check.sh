#!/usr/bin/env bash
# Refresh the English catalogue and list what still needs translating (docs/translation.md).
#
#   scripts/i18n_check.sh              makemessages, then list untranslated and fuzzy entries (exit 1 if any)
#   scripts/i18n_check.sh --compile    the same, then compilemessages if nothing is left (commit .po and .mo)
#   scripts/i18n_check.sh --no-update  only check the committed .po (no makemessages)
#   scripts/i18n_check.sh --crawl      also crawl the demo college in English and list Chinese left on pages
#
# Needs GNU gettext (msgmerge, xgettext, msgfmt). Python-side parsing uses only the stdlib.
set -euo pipefail
cd "$(dirname "$0")/.."

DJ=${DJ:-.venv/bin/dangjian}
PY=${PY:-.venv/bin/python}
PO=dangjian/locale/en/LC_MESSAGES/django.po
update=1
compile=0
crawl=0
for arg in "$@"; do
  case "$arg" in
    --compile) compile=1 ;;
    --no-update) update=0 ;;
    --crawl) crawl=1 ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) echo "unknown option: $arg" >&2; exit 2 ;;
  esac
done

if [[ $update == 1 ]]; then
  "$DJ" makemessages -l en --no-obsolete --ignore ".venv/*" --ignore "staticfiles/*" --ignore "node_modules/*" \
    --ignore "test-artifacts/*" -v0
fi
[[ -f $PO ]] || { echo "$PO not found" >&2; exit 2; }

status=0
"$PY" - "$PO" <<'EOF' || status=$?
import ast, re, sys

path = sys.argv[1]
KEY = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(".*")\s*$')
entries, cur, field = [], None, None
for lineno, raw in enumerate(open(path, encoding="utf-8").read().splitlines(), 1):
    line = raw.strip()
    if not line:
        cur = field = None
        continue
    if cur is None or ((line.startswith("#") or line.startswith("msgctxt") or line.startswith("msgid "))
                       and cur["msgstr"]):
        cur, field = {"flags": set(), "msgstr": {}, "refs": [], "obsolete": False, "line": lineno}, None
        entries.append(cur)
    if line.startswith("#~"):
        cur["obsolete"] = True
    elif line.startswith("#,"):
        cur["flags"] |= {f.strip() for f in line[2:].split(",")}
    elif line.startswith("#:"):
        cur["refs"] += line[2:].split()
    elif line.startswith("#"):
        pass
    elif m := KEY.match(line):
        if m.group(1).startswith("msgstr"):
            field = int(m.group(2) or 0)
            cur["msgstr"][field] = ast.literal_eval(m.group(3))
        else:
            field = m.group(1)
            cur[field] = ast.literal_eval(m.group(3))
    elif line.startswith('"') and field is not None:
        if isinstance(field, int):
            cur["msgstr"][field] += ast.literal_eval(line)
        else:
            cur[field] += ast.literal_eval(line)

messages = [e for e in entries if "msgid" in e and e["msgid"] and not e["obsolete"]]
todo = [e for e in messages if "fuzzy" in e["flags"] or not e["msgstr"] or not all(e["msgstr"].values())]
obsolete = [e for e in entries if e["obsolete"]]
for e in todo:
    kind = "fuzzy" if "fuzzy" in e["flags"] else "untranslated"
    where = e["refs"][0] if e["refs"] else "?"
    plural = f"  (plural: {e['msgid_plural']!r})" if "msgid_plural" in e else ""
    print(f"{path}:{e['line']}: {kind}: {e['msgid']!r}{plural}  [{where}]")
print(f"{len(messages)} messages, {len(messages) - len(todo)} translated, {len(todo)} to do"
      + (f", {len(obsolete)} obsolete (#~) entries" if obsolete else ""))
sys.exit(1 if todo else 0)
EOF

if [[ $compile == 1 && $status == 0 ]]; then
  "$DJ" compilemessages -l en --ignore ".venv" --ignore "node_modules" --ignore "staticfiles" -v0
  echo "compiled ${PO%.po}.mo"
fi
if [[ $crawl == 1 ]]; then
  DANGJIAN_I18N_CRAWL=1 .venv/bin/pytest -q -p no:locust tests/test_i18n.py -k crawl || status=1
fi
exit $status
