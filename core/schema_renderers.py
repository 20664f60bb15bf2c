"""The OpenAPI document's YAML as YAML 1.2 readers read it.

drf-spectacular writes YAML with PyYAML, a YAML 1.1 emitter: a string such as ``"0023939882"`` (an Oracle contact
id in the examples) is not an integer in YAML 1.1, so it is written unquoted, and every YAML 1.2 reader (Spectral,
Redocly, openapi-typescript, most generators) reads it back as the number 23939882. This renderer quotes every
string a YAML 1.2 reader would take for a number, a boolean or null; the document is otherwise drf-spectacular's.
"""

import re

import yaml
from drf_spectacular.renderers import OpenApiYamlRenderer, OpenApiYamlRenderer2

try:
    from yaml import CSafeDumper as _SafeDumper
except ImportError:  # pragma: no cover - PyYAML without libyaml
    from yaml import SafeDumper as _SafeDumper

# YAML 1.2 core schema: what a plain scalar resolves to besides a string.
_YAML12_NOT_STRING = re.compile(
    r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+|[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)|true|True|TRUE|false|False|FALSE|null|Null|NULL|~)$"
)


class _Yaml12SafeDumper(_SafeDumper):
    """PyYAML's safe dumper that also quotes what YAML 1.2 would not read as a string."""


_Yaml12SafeDumper.add_implicit_resolver("tag:yaml.org,2002:yaml12", _YAML12_NOT_STRING, list("-+0123456789.otTfFnN~"))


class Yaml12OpenApiRenderer(OpenApiYamlRenderer):
    def render(self, data, accepted_media_type=None, renderer_context=None):
        import drf_spectacular.renderers as spectacular_renderers

        # drf-spectacular builds its Dumper from the module's SafeDumper at each render: give it ours, for the
        # time of this call (the representers it adds are kept).
        original = spectacular_renderers.SafeDumper
        spectacular_renderers.SafeDumper = _Yaml12SafeDumper
        try:
            return super().render(data, accepted_media_type, renderer_context)
        finally:
            spectacular_renderers.SafeDumper = original


class Yaml12OpenApiRenderer2(Yaml12OpenApiRenderer, OpenApiYamlRenderer2):
    pass


def loads_as_yaml12(text: str):
    """For tests: ``text`` read with the YAML 1.2 rule that a plain run of digits is an integer."""

    class Loader(yaml.SafeLoader):
        pass

    Loader.add_implicit_resolver("tag:yaml.org,2002:int", re.compile(r"^[-+]?[0-9]+$"), list("-+0123456789"))
    return yaml.load(text, Loader=Loader)  # noqa: S506 - a SafeLoader subclass
