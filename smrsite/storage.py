"""Static files as production serves them: WhiteNoise's compressed, hashed copies."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    """WhiteNoise's storage, with each file's address worked out once per process.

    A page names a dozen static files, and finding each one's hashed name in the
    manifest cost about as much as rendering a paragraph. The manifest is read once
    when the process starts and does not change under it, so neither do the addresses.
    A name the manifest lacks still raises every time.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._addresses: dict[str, str] = {}

    def url(self, name: str, force: bool = False) -> str:
        if force:
            return super().url(name, force)
        try:
            return self._addresses[name]
        except KeyError:
            address = self._addresses[name] = super().url(name)
            return address
