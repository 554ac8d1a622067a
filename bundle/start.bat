@echo off
rem Lean Library Trainer: start the simulator from an offline bundle on Windows.
rem Needs Python 3.11+ with the py launcher (the python.org installer puts it in);
rem packages are installed from wheelhouse\ with no internet. See README-OFFLINE.txt.
chcp 65001 >nul
setlocal
cd /d "%~dp0"

rem The bundle's wheels are built for one Python version: "tasks.py bundle" writes it here.
set "PYVER=@PYTHON@"
set "INSTALLER=python-%PYVER%.x-amd64.exe"
if "%PYVER:~0,1%"=="@" set "PYVER=3"
if "%PYVER%"=="3" set "INSTALLER=python-3.12.x-amd64.exe"

where py >nul 2>&1
if errorlevel 1 goto nopython
py -%PYVER% -c "import sys; sys.exit(sys.version_info < (3, 11))" >nul 2>&1
if errorlevel 1 goto nopython

echo Запуск тренажёра: первый запуск устанавливает пакеты из папки wheelhouse, это займёт несколько минут.
echo Starting the trainer: the first start installs the packages from wheelhouse, it takes a few minutes.
py -%PYVER% tasks.py run --room --open
if errorlevel 1 pause
exit /b

:nopython
echo.
echo Не найден Python %PYVER% (нужна версия 3.11 или новее, с программой запуска py).
echo Установите Python из файла %INSTALLER% (возьмите его с собой на флешке;
echo скачать: https://www.python.org/downloads/windows/), затем снова запустите start.bat.
echo.
echo Python %PYVER% was not found (3.11 or newer is needed, with the py launcher).
echo Install it from %INSTALLER% (carry it on the USB stick too;
echo download: https://www.python.org/downloads/windows/), then run start.bat again.
echo.
pause
exit /b 1
