"""The API's JSON parser: DRF's, with what no view could handle refused while the body is parsed.

Bounds, each a 4xx with a JSON answer, never a 500:

- size: DRF reads a JSON body through ``request.body``, which Django refuses beyond
  ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (``RequestDataTooBig``; the exception handler answers 413);
- depth: a document nested deeper than ``MAX_JSON_DEPTH`` is refused before it is decoded (400). Python's
  decoder recurses once a level: a thousand levels raise RecursionError, in the decoder or in any code
  that walks the data afterwards;
- text: a string (a value or a key) holding an unpaired surrogate (``"\\udc80"``) is refused with a message
  at its place in the document, as a field error is (400). No database text column holds one and no JSON
  answer can encode it (naming it in an error message would fail too). NUL characters are left to the
  fields: DRF's ``CharField`` refuses them (and surrogates) with a field message, and the raw sales rows
  are checked by ``sales_rows_resolve``.
"""

import itertools
import re

from rest_framework import parsers
from rest_framework.exceptions import ParseError, ValidationError
from rest_framework.utils import json
from rest_framework.validators import ProhibitSurrogateCharactersValidator

MAX_JSON_DEPTH = 64

# A JSON string, escapes included; one left open runs to the end of the text (the decoder then refuses it),
# so every quote starts a match and the scan stays linear whatever the text.
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*(?:"|\\?\Z)', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_BRACKET_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}
# Only an escape (\ud800 to \udfff) can put a surrogate in a decoded string: raw ones are not valid UTF-8.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
# Decoded, a well-formed pair is one character beyond U+FFFF: a surrogate left in a string is unpaired.
_SURROGATE = re.compile("[\ud800-\udfff]")


def json_depth(text: str) -> int:
    """How deeply the arrays and objects of the JSON ``text`` nest (0 for a scalar), brackets in strings aside."""
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    return max(itertools.accumulate(map(_BRACKET_STEP.__getitem__, brackets)), default=0)


def surrogate_error(data, path=()):
    """The error detail naming the first string in ``data`` that holds an unpaired surrogate, or None.

    Keyed as a serializer's errors are: ``{"rows": {3: {"device": ["Surrogate characters ..."]}}}``; a key
    holding one is named with the surrogate escaped. Recursive: ``data`` is within ``MAX_JSON_DEPTH``.
    """
    if isinstance(data, str):
        found = _SURROGATE.search(data)
        if found is None:
            return None
        detail = [ProhibitSurrogateCharactersValidator.message.format(code_point=ord(found.group()))]
        for key in reversed(path):
            detail = {key: detail}
        return detail if path else {"non_field_errors": detail}
    if isinstance(data, dict):
        items = data.items()
    elif isinstance(data, list):
        items = enumerate(data)
    else:
        return None
    for key, value in items:
        if isinstance(key, str) and _SURROGATE.search(key):
            return surrogate_error(key, (*path, key.encode("utf-8", "backslashreplace").decode()))
        if (error := surrogate_error(value, (*path, key))) is not None:
            return error
    return None


class PortalJSONParser(parsers.JSONParser):
    """DRF's JSON parser within the portal's bounds: size, depth, text (the module's docstring)."""

    max_depth = MAX_JSON_DEPTH

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = parsers.get_encoding(parser_context or {})
        try:
            text = stream.read().decode(encoding)
        except UnicodeDecodeError as exc:
            raise ParseError(f"JSON parse error - {exc}") from None
        if json_depth(text) > self.max_depth:
            raise ParseError(f"JSON parse error - the document nests deeper than {self.max_depth} levels.")
        try:
            data = json.loads(text, parse_constant=json.strict_constant if self.strict else None)
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from None
        if _SURROGATE_ESCAPE.search(text) and (error := surrogate_error(data)) is not None:
            raise ValidationError(error)
        return data
