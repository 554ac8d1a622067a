"""Problems of a scenario file in Russian: the validator writes them in English, and this table
says each one in Russian (trainers read them in the editor and on the command line).

Each rule is a pattern over the English message and a Russian template using its named parts;
messages made of parts (`after applying ...: <message>`) are translated part by part. A test feeds
every file of the bad-scenario corpus and every edge case through it and fails on a message that
no rule knows, so a new message cannot slip in untranslated.
"""

from __future__ import annotations

import re

_R = [
    # reading the file
    (r"not valid YAML: (?P<d>.*)", "это не YAML: {d}"),
    (r"YAML anchors and aliases \(&name, \*name\) are not allowed in scenario files",
     "якоря и ссылки YAML (&имя, *имя) в файлах сценариев запрещены"),
    (r"YAML tags such as '(?P<t>[^']*)' are not allowed in scenario files", "теги YAML, например «{t}», в файлах сценариев запрещены"),
    (r"the file is nested more than (?P<n>\d+) levels deep", "вложенность файла глубже {n} уровней"),
    (r"the file is larger than (?P<n>\d+) KiB", "файл больше {n} КиБ"),
    (r"no such file", "файла нет"),
    (r"is a folder, not a scenario file", "это папка, а не файл сценария"),
    (r"cannot be read: (?P<d>.*)", "файл не читается: {d}"),
    (r"is not UTF-8 text \(byte (?P<n>\d+)\)", "файл не в кодировке UTF-8 (байт {n})"),
    (r"a scenario must be a mapping of keys \(id, title, \.\.\.\) at the top level",
     "сценарий должен быть набором ключей (id, title, ...) на верхнем уровне"),
    (r"a scenario must be a mapping of keys at the top level", "сценарий должен быть набором ключей на верхнем уровне"),
    # keys and types
    (r"unknown key '(?P<k>[^']*)' \(did you mean '(?P<h>[^']*)'\?\)", "неизвестный ключ «{k}» (может быть, «{h}»?)"),
    (r"unknown key '(?P<k>[^']*)'; allowed here: (?P<a>.*)", "неизвестный ключ «{k}»; здесь допустимы: {a}"),
    (r"unknown key '(?P<k>[^']*)'", "неизвестный ключ «{k}»"),
    (r"is required but missing", "обязательное поле не задано"),
    (r"'dist' must be one of: (?P<a>.*)", "«dist» должен быть одним из: {a}"),
    (r"must be a whole number or a list of them(?P<g> \(got .*\))?", "должно быть целым числом или списком целых чисел{g}"),
    (r"must be a whole number(?P<g> \(got .*\))?", "должно быть целым числом{g}"),
    (r"must be a number(?P<g> \(got .*\))?", "должно быть числом{g}"),
    (r"must be a finite number(?P<g> \(got .*\))?", "должно быть конечным числом{g}"),
    (r"must be text(?P<g> \(got .*\))?", "должно быть текстом{g}"),
    (r"must be true or false(?P<g> \(got .*\))?", "должно быть true или false{g}"),
    (r"must be a list(?P<g> \(got .*\))?", "должно быть списком{g}"),
    (r"must be a mapping of keys(?P<g> \(got .*\))?", "должно быть набором ключей{g}"),
    (r"Input should be greater than or equal to (?P<n>\S+)(?P<g> \(got .*\))?", "должно быть не меньше {n}{g}"),
    (r"Input should be greater than (?P<n>\S+)(?P<g> \(got .*\))?", "должно быть больше {n}{g}"),
    (r"Input should be less than or equal to (?P<n>\S+)(?P<g> \(got .*\))?", "должно быть не больше {n}{g}"),
    (r"Input should be less than (?P<n>\S+)(?P<g> \(got .*\))?", "должно быть меньше {n}{g}"),
    (r"Input should be (?P<a>'.*)(?P<g> \(got .*\))", "допустимые значения: {a}{g}"),
    (r"Input should be a valid (?P<w>[\w ]+)(?P<g> \(got .*\))?", "значение неверного типа ({w}){g}"),
    (r"String should have at least (?P<n>\d+) characters?(?P<g> \(got .*\))?", "текст короче {n} знаков{g}"),
    (r"String should have at most (?P<n>\d+) characters?(?P<g> \(got .*\))?", "текст длиннее {n} знаков{g}"),
    (r"String should match pattern '(?P<p>.*)'(?P<g> \(got .*\))?", "значение не подходит под образец {p}{g}"),
    (r"List should have at least (?P<n>\d+) items? after validation, not (?P<m>\d+)", "в списке должно быть не меньше {n} элементов (сейчас {m})"),
    (r"List should have at most (?P<n>\d+) items? after validation, not (?P<m>\d+)", "в списке должно быть не больше {n} элементов (сейчас {m})"),
    (r"Dictionary should have at least (?P<n>\d+) items? after validation, not (?P<m>\d+)", "нужно не меньше {n} элементов (сейчас {m})"),
    # checks inside fields
    (r"needs low <= mode <= high and low < high", "нужно low <= mode <= high и low < high"),
    (r"needs low < high", "нужно low < high"),
    (r"sd / mean must be between 0\.001 and 20 \(got (?P<v>[^)]*)\); use fixed\(value\) for a constant time",
     "sd / mean должно быть от 0,001 до 20 (сейчас {v}); для постоянного времени используйте fixed(value)"),
    (r"'(?P<v>[^']*)' is not a time of day like 10:00", "«{v}» — не время дня вида 10:00"),
    (r"'(?P<v>[^']*)' is past midnight", "«{v}» — позже полуночи"),
    (r"'hours' belongs to mode: continuous; a daily calendar uses open, close and days",
     "«hours» задаётся для mode: continuous; для ежедневного календаря — open, close и days"),
    (r"close must be later than open", "закрытие должно быть позже открытия"),
    (r"opening hours must be whole hours \(e\.g\. 10:00 to 20:00\)", "часы работы должны быть целыми часами (например, 10:00–20:00)"),
    (r"a continuous calendar needs 'hours'", "для непрерывного календаря нужно «hours»"),
    (r"needs a 'default' profile \(and, if you wish, mon\.\.sun overrides\)", "нужен профиль «default» (и, если нужно, mon..sun)"),
    (r"'(?P<v>[^']*)' is not a weekday; use (?P<a>.*)", "«{v}» — не день недели; используйте {a}"),
    (r"profile '(?P<v>[^']*)' is empty", "профиль «{v}» пуст"),
    (r"needs at least one hour", "нужен хотя бы один час"),
    (r"a tool names either the 'waste' it attacks \((?P<a>[^)]*)\) or 'aim: accessibility'",
     "у инструмента должно быть либо «waste» — потери, которые он устраняет ({a}), либо «aim: accessibility»"),
    (r"at least one weight must be above 0", "хотя бы один вес должен быть больше 0"),
    # cross-references and sums
    (r"unknown (?P<w>station|step|visit purpose|reader group|figure|tool) '(?P<v>[^']*)' \(did you mean '(?P<h>[^']*)'\?\)",
     "{w} «{v}»: нет в сценарии (может быть, «{h}»?)"),
    (r"unknown (?P<w>station|step|visit purpose|reader group|figure|tool) '(?P<v>[^']*)'; known: (?P<a>.*)",
     "{w} «{v}»: нет в сценарии; есть: {a}"),
    (r"unknown (?P<w>station|step|visit purpose|reader group|figure|tool) '(?P<v>[^']*)'", "{w} «{v}»: нет в сценарии"),
    (r"unknown tool '(?P<v>[^']*)' \(this scenario has: (?P<a>.*)\)", "неизвестный инструмент «{v}» (в сценарии есть: {a})"),
    (r"an id must be lower-case letters, digits, '_' or '-'", "идентификатор — строчные латинские буквы, цифры, «_» или «-»"),
    (r"reader group shares must add up to 1 \(they add up to (?P<v>[^)]*)\)", "доли групп читателей должны давать в сумме 1 (сейчас {v})"),
    (r"purpose shares must add up to 1 \(they add up to (?P<v>[^)]*)\)", "доли целей посещения должны давать в сумме 1 (сейчас {v})"),
    (r"a share cannot be negative \(got (?P<v>[^)]*)\)", "доля не может быть отрицательной (сейчас {v})"),
    (r"needs a time distribution", "нужно распределение времени"),
    (r"a stack_delivery step needs a 'stacks' section", "для шага stack_delivery нужен раздел «stacks»"),
    (r"a shelf_search step needs a 'reshelving' section", "для шага shelf_search нужен раздел «reshelving»"),
    (r"the self-service step must not have its own self_service", "у шага самообслуживания не может быть своего self_service"),
    (r"must name a service step \(asking at a desk\), not a search", "должен указывать шаг обслуживания (вопрос на кафедре), а не поиск"),
    (r"a line per desk is for staffed front-desk stations only", "своя очередь к каждому окну бывает только у кафедр с персоналом"),
    (r"a kiosk station needs 'capacity' \(how many machines\)", "для киоска нужно «capacity» (сколько аппаратов)"),
    (r"station '(?P<v>[^']*)' is not staffed \((?P<k>[^)]*)\)", "станция «{v}» без персонала ({k})"),
    (r"has (?P<n>\d+) hours but the library is open (?P<m>\d+) hours a day", "задано {n} ч, а библиотека открыта {m} ч в день"),
    (r"(?P<v>\S+) readers an hour is outside 0\.\.(?P<m>\S+)", "{v} читателей в час — вне 0..{m}"),
    (r"(?P<v>\S+) people is outside 0\.\.(?P<m>\S+)", "{v} человек — вне 0..{m}"),
    (r"the warm-up must end before the run does", "разогрев должен закончиться раньше расчёта"),
    (r"a run of (?P<v>\S+) hours is too long \(at most (?P<m>\S+)\)", "расчёт на {v} ч слишком долгий (не больше {m})"),
    (r"about (?P<v>\S+) readers would arrive; at most (?P<m>\S+) per run", "пришло бы около {v} читателей; не больше {m} за расчёт"),
    (r"about (?P<v>\S+) new items would arrive; at most (?P<m>\S+) per run", "поступило бы около {v} новых книг; не больше {m} за расчёт"),
    (r"station '(?P<v>[^']*)' must be staffed: this work is done by staff", "станция «{v}» должна быть с персоналом: эту работу делают сотрудники"),
    (r"'(?P<v>[^']*)' is not a step of the acquisitions route", "«{v}» — не шаг маршрута новых поступлений"),
    (r"(?P<v>\S+) items is outside 0\.\.100000", "{v} книг — вне 0..100000"),
    (r"tool '(?P<v>[^']*)' is offered in an earlier round already", "инструмент «{v}» уже предлагался в одном из прежних раундов"),
    (r"station '(?P<v>[^']*)' has work but no staff: give some role the skill and people on duty",
     "у станции «{v}» есть работа, но нет персонала: дайте какой-нибудь роли этот навык и людей на смене"),
    # lean tools
    (r"applied to this scenario, the tool changes nothing", "в этом сценарии инструмент ничего не меняет"),
    (r"the tools offered up to this round do not work together: (?P<m>.*)", "инструменты, предложенные к этому раунду, несовместимы: {m*}"),
    (r"after applying (?P<t>[^:]*): (?P<m>.*)", "после применения {t}: {m*}"),
    (r"there is no '(?P<k>[^']*)' in '(?P<w>[^']*)' \(it has: (?P<a>.*)\)", "в «{w}» нет «{k}» (есть: {a})"),
    (r"'(?P<w>[^']*)' has no part '(?P<k>[^']*)'", "у «{w}» нет части «{k}»"),
    (r"the path '(?P<p>[^']*)' picks nothing", "путь «{p}» ничего не выбирает"),
    (r"'(?P<p>[^']*)' is not a valid part of a path \(ids, or id\[\*\], id\[field=value\]\)",
     "«{p}» — неверная часть пути (идентификаторы, id[*] или id[поле=значение])"),
    (r"'(?P<p>[^']*)' is not a collection to pick from with \[(?P<s>[^\]]*)\]", "«{p}» — не набор, из которого можно выбрать [{s}]"),
    (r"'(?P<p>[^']*)' is not a number or a time to scale", "«{p}» — не число и не время: масштабировать нечего"),
    (r"'(?P<p>[^']*)' is not a distribution", "«{p}» — не распределение"),
    (r"'(?P<p>[^']*)' exists already; use 'set' to replace it", "«{p}» уже есть; чтобы заменить, используйте «set»"),
    (r"'(?P<o>[^']*)' needs a 'factor' of 0 or more", "для «{o}» нужен «factor» не меньше 0"),
    (r"'(?P<o>[^']*)' needs a 'value'", "для «{o}» нужно «value»"),
    (r"unknown operation '(?P<o>[^']*)'", "неизвестная операция «{o}»"),
    (r"'(?P<p>[^']*)' has (?P<n>\d+) hours, the arrivals (?P<m>\d+)", "у «{p}» {n} ч, а у потока читателей {m}"),
    (r"'(?P<p>[^']*)' is not a staff role", "«{p}» — не роль персонала"),
    (r"'(?P<p>[^']*)' has no '(?P<v>[^']*)' to remove", "в «{p}» нет «{v}»: удалять нечего"),
    (r"(?P<p>[a-z_][\w.\[\]-]*): (?P<m>.*)", "{p}: {m*}"),  # a problem inside a tool, prefixed by its field
]
WORDS = {"station": "станция", "step": "шаг", "visit purpose": "цель посещения", "reader group": "группа читателей",
         "figure": "показатель", "tool": "инструмент"}
RULES = [(re.compile(pattern + r"\Z", re.DOTALL), template) for pattern, template in _R]


def translate(message: str, lang: str) -> str | None:
    """The message in `lang`, or None if no rule knows it (English is returned as it is)."""
    if lang != "ru":
        return message
    for pattern, template in RULES:
        match = pattern.match(message)
        if match is None:
            continue
        parts = {}
        for name, value in match.groupdict().items():
            value = value or ""
            if f"{{{name}*}}" in template:  # a nested message: translate it too
                inner = translate(value, lang)
                if inner is None:
                    return None
                parts[name + "*"] = inner
            elif name == "w":
                parts[name] = WORDS.get(value, value).capitalize()
            else:
                parts[name] = value.replace("(got ", "(получено ") if name == "g" else value
        text = template
        for name, value in parts.items():
            text = text.replace("{" + name + "}", value)
        return text
    return None


def say(message: str, lang: str) -> str:
    """The message in `lang` when a rule knows it, else in English as it is."""
    return translate(message, lang) or message
