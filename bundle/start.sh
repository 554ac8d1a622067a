#!/bin/sh
# Lean Library Trainer: start the simulator from an offline bundle on Linux (or macOS).
# Needs Python 3.11+ (python3 with venv); packages are installed from wheelhouse/ with no
# internet. See README-OFFLINE.txt.
cd "$(dirname "$0")" || exit 1

# The bundle's wheels are built for one Python version: "tasks.py bundle" writes it here.
PYVER="@PYTHON@"
case "$PYVER" in @*) PYVER=3 ;; esac

for candidate in "python$PYVER" python3; do
  if command -v "$candidate" >/dev/null 2>&1 &&
    "$candidate" -c 'import sys; want = sys.argv[1]; have = "%d.%d" % sys.version_info[:2]; sys.exit(not (sys.version_info >= (3, 11) and want in ("3", have)))' "$PYVER"
  then
    echo "Запуск тренажёра: первый запуск устанавливает пакеты из папки wheelhouse, это займёт несколько минут."
    echo "Starting the trainer: the first start installs the packages from wheelhouse, it takes a few minutes."
    exec "$candidate" tasks.py run --room --open "$@"
  fi
done

echo "Не найден Python $PYVER (нужна версия 3.11 или новее)."
echo "Установите его из пакетов дистрибутива (python3, python3-venv) или с python.org, затем снова запустите start.sh."
echo "Python $PYVER was not found (3.11 or newer is needed)."
echo "Install it from the distribution's packages (python3, python3-venv) or python.org, then run start.sh again."
exit 1
