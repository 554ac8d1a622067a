"""Scenario editor (trainers only): a form and the raw YAML, validation as you go, a test run, and
saving as a new version or a new scenario; nothing saved is ever lost."""

from __future__ import annotations

import os
import time
from pathlib import Path

import streamlit as st
from ruamel.yaml.comments import CommentedMap

from dashboard import balance_view, config, editor_form, floor_editor, runner, validated
from dashboard.widgets import MAIN_KPIS, fmt, kpi_name, problem_markdown
from dashboard.widgets import lang as current_lang
from sim.editing import dump, load
from sim.experiment import DEFAULT_SEED, run_experiment
from sim.i18n import pick, t
from sim.library import ConflictError, Entry, LibraryError, ScenarioLibrary, digest
from sim.scenario import Scenario, ScenarioError, read_file

TEST_REPS = 5

lang = current_lang()
st.title(t("editor.title_page", lang))
author = st.session_state.get("trainer")
if not author:
    st.warning(t("editor.sign_in_first", lang))
    st.page_link("dashboard/pages/trainer.py", label=t("nav.trainer", lang), icon=":material/co_present:")
    st.stop()



def _entries(library: ScenarioLibrary) -> list[Entry]:
    """`library.entries()`, each file validated only when its text is new (every click redraws the page)."""
    out = []
    for folder, shipped in ((library.user, False), (library.shipped, True)):
        for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
            try:
                scenario: Scenario | None = validated.scenario_file(path)
                problem = ""
            except ScenarioError as error:
                scenario, problem = None, str(error.problems[0]) if error.problems else ""
            out.append(Entry(path.stem, path, shipped, scenario, problem))
    return out


def _writable(folder: Path) -> bool:
    """Can the trainers' folder (or, before it exists, the folder it will be made in) be written?"""
    while not folder.exists() and folder.parent != folder:
        folder = folder.parent
    return os.access(folder, os.W_OK | os.X_OK)


def _folder_error(error: OSError) -> None:
    """A save refused by the file system (a read-only or full folder): said plainly, nothing lost."""
    st.error(t("editor_folder.not_written", lang, folder=str(config.user_scenarios_dir()),
               error=error.strerror or type(error).__name__))


library = ScenarioLibrary(config.scenarios_dir(), config.user_scenarios_dir())
entries = _entries(library)
if not _writable(config.user_scenarios_dir()):
    st.warning(t("editor_folder.read_only", lang, folder=str(config.user_scenarios_dir())))
labels = {f"{'shipped' if e.shipped else 'user'}:{e.id}": e for e in entries}
pending = st.session_state.pop("editor.pending_choice", None)
if pending in labels:  # set by a save or an import on the last run, before the widget exists
    st.session_state["editor.choice"] = pending
choice = st.selectbox(
    t("editor.open", lang), list(labels), key="editor.choice",
    format_func=lambda k: (pick(labels[k].scenario.title, lang) if labels[k].scenario else labels[k].id)
    + " · " + t("editor.shipped" if labels[k].shipped else "editor.yours", lang),
)
entry = labels[choice]
def _bump() -> None:
    """The text changed outside the form: the form's widgets start again from it."""
    st.session_state["editor.rev"] = st.session_state.get("editor.rev", 0) + 1


if st.session_state.get("editor.loaded") != choice:  # a newly opened file: load it into the buffer
    try:  # read_file: a regular file within the size limit only (a FIFO or /dev/zero is refused, never waited on)
        text = read_file(entry.path)
        mine = library.path_of(entry.id)
        base = digest(read_file(mine)) if mine.is_file() else None
    except ScenarioError as error:
        st.error(t("editor.unreadable", lang, error="; ".join(p.text(lang) for p in error.problems)))
        st.stop()
    except (OSError, UnicodeDecodeError, LibraryError) as error:
        st.error(t("editor.unreadable", lang, error=str(error)))
        st.stop()
    st.session_state.update({"editor.loaded": choice, "editor.text": text, "editor.saved_text": text, "editor.base": base})
    _bump()
if entry.shipped:
    st.info(t("editor.read_only", lang, folder=str(config.user_scenarios_dir())))

text = st.session_state["editor.text"]
try:
    edited: Scenario | None = validated.scenario_text(text, "editor.yaml")
    problems = []
except ScenarioError as error:
    edited, problems = None, error.problems

form_tab, yaml_tab, balance_tab = st.tabs([t("editor.form", lang), t("editor.yaml", lang), t("balance_tab.title", lang)])
try:  # the form works on the YAML document: it stays while the values are invalid, so they can be fixed in it
    doc: CommentedMap | None = load(text)
except ScenarioError:
    doc = None
with form_tab:
    if doc is None:
        st.warning(t("editor.fix_yaml_first", lang))
    else:
        before = dump(doc)
        key = f"editor.form.{choice}.{st.session_state.get('editor.rev', 0)}"
        for section, build in ((t("editor.texts", lang), editor_form.texts), (t("editor.calendar", lang), editor_form.calendar),
                               (t("editor.arrivals", lang), editor_form.arrivals), (t("editor.groups", lang), editor_form.groups),
                               (t("editor.staff", lang), editor_form.staff), (t("editor.times", lang), editor_form.step_times),
                               (t("editor.tools", lang), editor_form.tools), (t("editor.rounds", lang), editor_form.rounds),
                               (t("floor_editor.section", lang), floor_editor.floor_and_walks)):
            with st.expander(section):
                try:
                    build(doc, lang, key)
                except Exception:  # a value the form cannot show: the YAML tab still can
                    st.warning(t("editor.section_yaml", lang))
        after = dump(doc)
        if after != before:
            st.session_state["editor.text"] = text = after
            try:
                edited, problems = validated.scenario_text(text, "editor.yaml"), []
            except ScenarioError as error:
                edited, problems = None, error.problems
with yaml_tab:
    st.text_area(t("editor.yaml", lang), key="editor.text", height=520, max_chars=512 * 1024, on_change=_bump)
with balance_tab:
    balance_view.balance_tab(edited, lang)

if edited is not None:
    st.success(t("editor.valid", lang))
else:
    st.error(t("editor.invalid", lang, n=len(problems)))
    for problem in problems[:50]:
        where = t("editor.line", lang, line=problem.line) if problem.line else ""
        st.markdown(problem_markdown(problem, lang, where))

c1, c2 = st.columns(2)
if c1.button(t("editor.test_run", lang), disabled=edited is None, key="editor.test"):
    with st.spinner(t("sandbox.running", lang)):
        new = run_experiment(edited, TEST_REPS, DEFAULT_SEED, workers=config.workers() or None)
        try:
            old: Scenario | None = validated.scenario_text(st.session_state["editor.saved_text"], "saved.yaml")
        except ScenarioError:
            old = None
        saved = run_experiment(old, TEST_REPS, DEFAULT_SEED, workers=config.workers() or None) if old else None
    rows = [{t("history.figure", lang): kpi_name(k, lang), t("editor.edited", lang): fmt(k, new.kpis[k].mean, lang),
             t("editor.saved", lang): fmt(k, saved.kpis[k].mean, lang) if saved and k in saved.kpis else "—"}
            for k in MAIN_KPIS if k in new.kpis and new.kpis[k].mean is not None]
    st.dataframe(rows, hide_index=True)

with c2:
    new_id = st.text_input(t("editor.new_id", lang), key="editor.new_id", max_chars=64)
    save_version = st.button(t("editor.save_version", lang), disabled=edited is None, type="primary", key="editor.save")
    save_new = st.button(t("editor.save_new", lang), disabled=edited is None or not new_id, key="editor.save_new")
if (save_version or save_new) and edited is not None:
    try:
        if save_new:
            doc = load(text)
            doc["id"] = new_id.strip()
            saved_scenario = library.save(dump(doc), author, base=None, new=True)
        else:
            saved_scenario = library.save(text, author, base=st.session_state["editor.base"],
                                          new=st.session_state["editor.base"] is None and library.path_of(edited.id).is_file())
        runner.clear_scenario_lists()
        st.session_state["editor.loaded"] = None
        st.session_state["editor.pending_choice"] = f"user:{saved_scenario.id}"
        st.toast(t("editor.saved_ok", lang, id=saved_scenario.id))
        st.rerun()
    except ConflictError as error:
        st.error(t("editor.conflict", lang))
        st.code(error.diff or "", language="diff")
    except LibraryError as error:
        st.error(t("editor.not_saved", lang, error=str(error)))
        for problem in error.problems[:20]:
            st.markdown(problem_markdown(problem, lang))
    except OSError as error:
        _folder_error(error)

st.divider()
st.subheader(t("editor.history", lang))
versions = library.history(entry.id) if not entry.shipped or library.path_of(entry.id).is_file() else []
if not versions:
    st.caption(t("editor.no_history", lang))
for i, version in enumerate(reversed(versions)):
    cols = st.columns([3, 1])
    cols[0].markdown(f"{time.strftime('%Y-%m-%d %H:%M:%S', time.localtime(version.saved_at))} · {version.author}")
    if cols[1].button(t("editor.restore", lang), key=f"editor.restore.{i}"):
        try:
            library.restore(entry.id, version, author)
            st.session_state["editor.loaded"] = None
            st.rerun()
        except LibraryError as error:
            st.error(t("editor.not_saved", lang, error=str(error)))
        except OSError as error:
            _folder_error(error)

st.divider()
c1, c2 = st.columns(2)
c1.download_button(t("editor.download", lang), text.encode("utf-8"), f"{entry.id}.yaml", "application/x-yaml",
                   key="editor.download")
upload = c2.file_uploader(t("editor.upload", lang), type=["yaml", "yml"], key="editor.upload")
if upload is not None and c2.button(t("editor.upload_go", lang), key="editor.upload_go"):
    try:
        imported = library.import_upload(upload.name, upload.getvalue(), author)
        runner.clear_scenario_lists()
        st.session_state["editor.loaded"] = None
        st.session_state["editor.pending_choice"] = f"user:{imported.id}"
        st.rerun()
    except LibraryError as error:
        c2.error(t("editor.not_saved", lang, error=str(error)))
        for problem in error.problems[:20]:
            c2.markdown(problem_markdown(problem, lang))
    except OSError as error:
        with c2:
            _folder_error(error)
