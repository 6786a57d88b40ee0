"""Sentences for people, kept in no language: formats/ imports no Django.

A message is an English template and its parameters. ``str()`` gives the English (the command line,
logs, tests); the service layer says it in the reader's language (``import_report.say``: the
template through gettext, or ngettext for a plural, then the parameters put in).

The templates are found by ``makemessages``, whose xgettext extracts the arguments of
``gettext_noop`` and of ``ngettext_lazy`` (singular and plural). The two markers below have those
names, and the meaning of Django's functions of the same name: ``gettext_noop`` returns its
argument unchanged, ``ngettext_lazy`` leaves the choice of form until the parameter named
``number`` is known.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field


def gettext_noop(message: str) -> str:
    """Mark a template for the catalogue; returns it as it is."""
    return message


@dataclass(frozen=True)
class Plural:
    """A template with a singular and a plural form; parameter `number` chooses between them."""

    singular: str
    plural: str
    number: str


def ngettext_lazy(singular: str, plural: str, number: str) -> Plural:
    """Mark a template with a plural for the catalogue; the form is chosen when it is said."""
    return Plural(singular, plural, number)


Template = str | Plural
Gettext = Callable[[str], str]
Ngettext = Callable[[str, str, int], str]


def _english_gettext(message: str) -> str:
    return message


def _english_ngettext(singular: str, plural: str, n: int) -> str:
    return singular if n == 1 else plural


@dataclass(frozen=True)
class Message:
    """A template and its parameters; a parameter may be a Message itself (said in the same language)."""

    template: Template
    params: Mapping[str, object] = field(default_factory=dict)

    def say(self, gettext: Gettext = _english_gettext, ngettext: Ngettext = _english_ngettext) -> str:
        """The message in the language of `gettext` and `ngettext` (English without them)."""
        params = {
            key: value.say(gettext, ngettext) if isinstance(value, Message) else value
            for key, value in self.params.items()
        }
        template = self.template
        if isinstance(template, Plural):
            text = ngettext(template.singular, template.plural, int(params[template.number]))
        else:
            text = gettext(template)
        return text % params if params else text

    def __str__(self) -> str:
        return self.say()
