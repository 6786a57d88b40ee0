"""Refuse oversized uploads while they stream in, before they fill the disk."""

from __future__ import annotations

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload


class ScriptSizeLimitHandler(FileUploadHandler):
    """Stops reading a file past SCRIPT_UPLOAD_MAX_BYTES; the view sees `request.upload_too_large`.

    Django would otherwise write the whole body to a temporary file before any view could
    look at its size. The rest of the body is read and dropped, not stored.
    """

    def new_file(self, *args, **kwargs) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > settings.SCRIPT_UPLOAD_MAX_BYTES:
            self.request.upload_too_large = True
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None  # the next handlers build the file
