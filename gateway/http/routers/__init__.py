"""One FastAPI router per resource."""

__all__: list[str] = []
