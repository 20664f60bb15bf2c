"""External systems, importable from files (``core/imports``): matched by name, the name OMS requests send."""

from core.imports.specs import ImportSpec, register

from .services.reference_rows import external_systems_write

register(
    ImportSpec(
        list_key="outages.external_systems",
        natural_key=("name",),
        fields=("name", "description", "is_active"),
        write=external_systems_write,
    )
)
