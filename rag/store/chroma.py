"""Open the Chroma store (embedded or server) and its collection, with the ingest manifest."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

import chromadb
from chromadb.api import ClientAPI
from chromadb.api.models.Collection import Collection
from chromadb.config import Settings as ChromaSettings
from chromadb.errors import NotFoundError

from rag.errors import ConfigError, EmptyIndexError, StoreUnavailableError
from rag.settings import Settings

MODEL_KEY = "embedding_model"
MANIFEST_KEY = "manifest"
VERSION_KEY = "index_version"


def store_location(settings: Settings) -> str:
    """Where the store lives, for messages: a server address or the embedded path."""
    if settings.chroma_host:
        return f"Chroma server {settings.chroma_host}:{settings.chroma_port}"
    return f"embedded store {settings.store_dir}"


def open_client(settings: Settings) -> ClientAPI:
    """A Chroma client: ``HttpClient`` when a server host is set, else ``PersistentClient``."""
    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    try:
        if settings.chroma_host:
            return chromadb.HttpClient(
                host=settings.chroma_host, port=settings.chroma_port, settings=chroma_settings
            )
        settings.store_dir.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(settings.store_dir), settings=chroma_settings)
    except Exception as exc:  # noqa: BLE001 - connection and file errors alike
        raise StoreUnavailableError(
            f"cannot open the {store_location(settings)}: {exc}. "
            + (
                "Is `chroma run --path DIR --host HOST --port PORT` running?"
                if settings.chroma_host
                else "Check that the folder is writable."
            )
        ) from exc


@dataclass
class Store:
    """A collection of chunks plus the manifest of the files ingested into it."""

    client: ClientAPI
    collection: Collection
    model_id: str

    @property
    def name(self) -> str:
        """The collection's name."""
        return self.collection.name

    def manifest(self) -> dict[str, dict[str, Any]]:
        """What was ingested, by source file name: hash, yearbook, year, counts, time."""
        raw = (self.collection.metadata or {}).get(MANIFEST_KEY) or "{}"
        return json.loads(str(raw))

    def version(self) -> str:
        """Changes whenever the collection's content changes (lexical indexes key on it)."""
        return str((self.collection.metadata or {}).get(VERSION_KEY, "empty"))

    def refresh(self) -> str:
        """Re-read the collection (another process may have ingested) and return its version.

        Raises:
            EmptyIndexError: the collection was deleted meanwhile.
            StoreUnavailableError: the store cannot be reached.
        """
        try:
            self.collection = self.client.get_collection(self.name, embedding_function=None)
        except NotFoundError:
            raise EmptyIndexError(f"collection {self.name!r} is gone: run `yearbook ingest`") from None
        except Exception as exc:  # noqa: BLE001 - server down, refused, timed out
            raise StoreUnavailableError(f"the Chroma store cannot be reached: {exc}") from exc
        return self.version()

    def save_manifest(self, manifest: dict[str, dict[str, Any]]) -> None:
        """Record the manifest and a new content version on the collection."""
        text = json.dumps(manifest, ensure_ascii=False, sort_keys=True)
        version = hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]
        self.collection.modify(
            metadata={MODEL_KEY: self.model_id, MANIFEST_KEY: text, VERSION_KEY: version}
        )

    def count(self) -> int:
        """Number of chunks stored."""
        return self.collection.count()


def open_store(
    settings: Settings, model_id: str, *, create: bool = False, name: str | None = None
) -> Store:
    """Open (or create) the collection and check it was built with ``model_id``.

    Raises:
        EmptyIndexError: the collection does not exist and ``create`` is false.
        ConfigError: the collection was built with another embedding model.
        StoreUnavailableError: the store cannot be reached.
    """
    client = open_client(settings)
    name = name or settings.collection
    try:
        collection = client.get_collection(name, embedding_function=None)
    except NotFoundError:
        if not create:
            raise EmptyIndexError(
                f"the {store_location(settings)} has no collection {name!r}: run `yearbook ingest` first"
            ) from None
        collection = create_collection(client, name, model_id, settings.hnsw_ef_search)
    except Exception as exc:  # noqa: BLE001 - server down, refused, timed out
        raise StoreUnavailableError(f"cannot read the {store_location(settings)}: {exc}") from exc
    found = (collection.metadata or {}).get(MODEL_KEY)
    if found != model_id:
        raise ConfigError(
            f"collection {name!r} holds vectors of {found!r}, but the settings ask for {model_id!r}. "
            "Rebuild it with `yearbook ingest --rebuild`, or set YEARBOOK_EMBEDDING_PROVIDER "
            "back, or use another YEARBOOK_COLLECTION."
        )
    if create:
        set_search_breadth(collection, settings.hnsw_ef_search)
    return Store(client=client, collection=collection, model_id=model_id)


def create_collection(client: ClientAPI, name: str, model_id: str, ef_search: int) -> Collection:
    """A new cosine collection that never embeds by itself (no default embedding function)."""
    return client.create_collection(
        name,
        embedding_function=None,
        configuration={"hnsw": {"space": "cosine", "ef_search": ef_search}},
        metadata={MODEL_KEY: model_id, MANIFEST_KEY: "{}", VERSION_KEY: "empty"},
    )


def search_breadth(collection: Collection) -> int | None:
    """The collection's HNSW ef_search (None when it has no HNSW index configuration)."""
    hnsw = (collection.configuration or {}).get("hnsw") or {}
    return hnsw.get("ef_search")


def set_search_breadth(collection: Collection, ef_search: int) -> None:
    """Give an existing collection the configured ef_search (collections made before the setting had 100)."""
    if search_breadth(collection) != ef_search:
        collection.modify(configuration={"hnsw": {"ef_search": ef_search}})
