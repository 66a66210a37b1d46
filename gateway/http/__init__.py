"""The HTTP API (FastAPI). Never imported by ``import gateway``: only composition roots import it."""

__all__: list[str] = []
